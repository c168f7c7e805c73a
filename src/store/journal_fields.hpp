// The journal's columns, once: the insert, the read, the row hash (docs/JOURNAL.md, "The hash, byte
// for byte"), and the CSV and JSON Lines exports all walk this table, so a column is added (or its
// place in the recipe read) in one place. Internal to src/store.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/store.hpp>

namespace pickverify::store {

enum class JournalFieldKind {
  integer,          // BIGINT, decimal in the hash and the exports
  optional_integer, // BIGINT or NULL (chain_seq of a legacy row: 0 in JournalEntry), decimal or empty
  text,             // TEXT as stored
  blob,             // BLOB / BYTEA (raw)
  derived,          // an export column computed from the row, not stored (utc, raw_hex, serial)
};

struct JournalField {
  std::string_view name;
  JournalFieldKind kind;
  std::int64_t JournalEntry::*integer = nullptr; // integer, optional_integer
  std::string JournalEntry::*bytes = nullptr;    // text, blob
  // Place in the row hash of recipe v1 (legacy chain '') and v2 (rows with a chain), 1-based; 0: not hashed.
  int hash_v1 = 0;
  int hash_v2 = 0;
  // The export's text of this column (raw: its printable escape; derived: the computed value).
  std::string (*export_text)(const JournalEntry&) = nullptr;
};

// Every column in export order; the stored ones (kind other than derived) in the table's column order.
std::span<const JournalField> journal_fields();
// The stored columns, comma separated, for SELECT and INSERT ("seq, chain, …, hash").
const std::string& journal_column_list();
// The same for a SELECT from a journal older than schema version 6 (read-only audit of an old file):
// chain as '' and chain_seq as NULL, so every row reads as the legacy chain.
const std::string& journal_column_list_before_chains();
// How many stored columns there are (the insert's placeholders).
int journal_column_count();
// The hashed fields of recipe 1 or 2, in the recipe's order.
const std::vector<const JournalField*>& journal_hash_fields(int recipe);
// Which recipe a row is hashed with: 1 for the legacy chain '', 2 for a station's chain.
inline int journal_hash_recipe(const JournalEntry& entry)
{
  return entry.chain.empty() ? 1 : 2;
}
// The bytes a field contributes to the hash (decimal text for integers, the stored bytes else).
std::string journal_field_bytes(const JournalEntry& entry, const JournalField& field);

// Reads the stored columns of a row selected with journal_column_list(), from column `first` on.
template <typename Statement> JournalEntry read_journal_columns(const Statement& row, int first = 0)
{
  JournalEntry entry;
  int column = first;
  for (const JournalField& field : journal_fields()) {
    switch (field.kind) {
    case JournalFieldKind::integer:
      entry.*field.integer = row.column_int(column++);
      break;
    case JournalFieldKind::optional_integer:
      entry.*field.integer = row.column_is_null(column) ? 0 : row.column_int(column);
      ++column;
      break;
    case JournalFieldKind::text:
      entry.*field.bytes = row.column_text(column++);
      break;
    case JournalFieldKind::blob:
      entry.*field.bytes = row.column_blob(column++);
      break;
    case JournalFieldKind::derived:
      break;
    }
  }
  return entry;
}

// Binds the stored columns of entry to an insert of journal_column_list(), from parameter `first` on.
template <typename Statement> void bind_journal_columns(Statement& insert, const JournalEntry& entry, int first = 1)
{
  int parameter = first;
  for (const JournalField& field : journal_fields()) {
    switch (field.kind) {
    case JournalFieldKind::integer:
      insert.bind(parameter++, entry.*field.integer);
      break;
    case JournalFieldKind::optional_integer:
      if (entry.*field.integer == 0) {
        insert.bind_null(parameter++);
      } else {
        insert.bind(parameter++, entry.*field.integer);
      }
      break;
    case JournalFieldKind::text:
      insert.bind_text(parameter++, entry.*field.bytes);
      break;
    case JournalFieldKind::blob:
      insert.bind_blob(parameter++, entry.*field.bytes);
      break;
    case JournalFieldKind::derived:
      break;
    }
  }
}

} // namespace pickverify::store
