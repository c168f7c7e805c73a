#include "journal_fields.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include <pickverify/journal_export.hpp>
#include <pickverify/text.hpp>

namespace pickverify::store {

namespace {

using Kind = JournalFieldKind;

std::string utc_text(const JournalEntry& entry)
{
  return format_utc_ms(entry.utc_ms);
}
std::string raw_printable(const JournalEntry& entry)
{
  return escape_raw(entry.raw);
}
std::string raw_hex(const JournalEntry& entry)
{
  return text::to_hex(entry.raw);
}
// A unit's serial, from the row's detail (scan rows of serial-tracked items).
std::string serial_of(const JournalEntry& entry)
{
  if (entry.detail.find("\"serial\"") == std::string::npos) {
    return {};
  }
  const auto detail = nlohmann::json::parse(entry.detail, nullptr, false);
  if (detail.is_object() && detail.contains("serial") && detail["serial"].is_string()) {
    return detail["serial"].get<std::string>();
  }
  return {};
}

// Export order. hash_v1 / hash_v2: the field's place in docs/JOURNAL.md's recipe (v2: chain and
// chain_seq where v1 has seq, the rest as in v1). chain and chain_seq come last in the exports, so
// the columns an existing spreadsheet reads keep their places.
const std::array k_fields{
    JournalField{"seq", Kind::integer, &JournalEntry::seq, nullptr, 1, 0},
    JournalField{"utc_ms", Kind::integer, &JournalEntry::utc_ms, nullptr, 2, 3},
    JournalField{"utc", Kind::derived, nullptr, nullptr, 0, 0, &utc_text},
    JournalField{"type", Kind::text, nullptr, &JournalEntry::type, 3, 4},
    JournalField{"station", Kind::text, nullptr, &JournalEntry::station, 4, 5},
    JournalField{"operator_id", Kind::text, nullptr, &JournalEntry::operator_id, 5, 6},
    JournalField{"order_id", Kind::text, nullptr, &JournalEntry::order_id, 6, 7},
    JournalField{"session_id", Kind::text, nullptr, &JournalEntry::session_id, 7, 8},
    JournalField{"raw", Kind::blob, nullptr, &JournalEntry::raw, 8, 9, &raw_printable},
    JournalField{"raw_hex", Kind::derived, nullptr, nullptr, 0, 0, &raw_hex},
    JournalField{"aim", Kind::text, nullptr, &JournalEntry::aim, 9, 10},
    JournalField{"source", Kind::text, nullptr, &JournalEntry::source, 10, 11},
    JournalField{"gtin", Kind::text, nullptr, &JournalEntry::gtin, 11, 12},
    JournalField{"ais", Kind::text, nullptr, &JournalEntry::ais, 12, 13},
    JournalField{"serial", Kind::derived, nullptr, nullptr, 0, 0, &serial_of},
    JournalField{"verdict", Kind::text, nullptr, &JournalEntry::verdict, 13, 14},
    JournalField{"reason", Kind::text, nullptr, &JournalEntry::reason, 14, 15},
    JournalField{"evidence_hash", Kind::text, nullptr, &JournalEntry::evidence_hash, 15, 16},
    JournalField{"detail", Kind::text, nullptr, &JournalEntry::detail, 16, 17},
    JournalField{"prev_hash", Kind::text, nullptr, &JournalEntry::prev_hash, 0, 0},
    JournalField{"hash", Kind::text, nullptr, &JournalEntry::hash, 0, 0},
    JournalField{"chain", Kind::text, nullptr, &JournalEntry::chain, 0, 1},
    JournalField{"chain_seq", Kind::optional_integer, &JournalEntry::chain_seq, nullptr, 0, 2},
};

std::vector<const JournalField*> hash_fields_of(int recipe)
{
  std::vector<const JournalField*> fields;
  for (const JournalField& field : k_fields) {
    if ((recipe == 1 ? field.hash_v1 : field.hash_v2) > 0) {
      fields.push_back(&field);
    }
  }
  std::sort(fields.begin(), fields.end(), [recipe](const JournalField* a, const JournalField* b) {
    return recipe == 1 ? a->hash_v1 < b->hash_v1 : a->hash_v2 < b->hash_v2;
  });
  return fields;
}

} // namespace

std::span<const JournalField> journal_fields()
{
  return k_fields;
}

const std::string& journal_column_list()
{
  static const std::string list = [] {
    std::string columns;
    for (const JournalField& field : k_fields) {
      if (field.kind != Kind::derived) {
        columns += columns.empty() ? "" : ", ";
        columns += field.name;
      }
    }
    return columns;
  }();
  return list;
}

const std::string& journal_column_list_before_chains()
{
  static const std::string list = [] {
    std::string columns;
    for (const JournalField& field : k_fields) {
      if (field.kind == Kind::derived) {
        continue;
      }
      columns += columns.empty() ? "" : ", ";
      if (field.bytes == &JournalEntry::chain) {
        columns += "'' AS chain";
      } else if (field.integer == &JournalEntry::chain_seq) {
        columns += "NULL AS chain_seq";
      } else {
        columns += field.name;
      }
    }
    return columns;
  }();
  return list;
}

int journal_column_count()
{
  return static_cast<int>(
      std::count_if(k_fields.begin(), k_fields.end(), [](const JournalField& f) { return f.kind != Kind::derived; }));
}

const std::vector<const JournalField*>& journal_hash_fields(int recipe)
{
  static const std::vector<const JournalField*> v1 = hash_fields_of(1);
  static const std::vector<const JournalField*> v2 = hash_fields_of(2);
  return recipe == 1 ? v1 : v2;
}

std::string journal_field_bytes(const JournalEntry& entry, const JournalField& field)
{
  switch (field.kind) {
  case Kind::integer:
  case Kind::optional_integer:
    return std::to_string(entry.*field.integer);
  case Kind::text:
  case Kind::blob:
    return entry.*field.bytes;
  case Kind::derived:
    return field.export_text(entry);
  }
  return {};
}

} // namespace pickverify::store
