// The parts of the Store interface that every backend shares.
#include <pickverify/store.hpp>

#include <pickverify/expected.hpp>

#include <utility>

namespace pickverify {

Result<JournalEntry> Store::append_one(JournalEntry entry)
{
  std::vector<JournalEntry> entries;
  entries.push_back(std::move(entry));
  PV_TRY_ASSIGN(auto appended, append(std::move(entries)));
  if (appended.size() != 1) {
    return make_error(ErrorType::internal,
                      "journal: append of one event returned " + std::to_string(appended.size()) + " rows");
  }
  return std::move(appended.front());
}

} // namespace pickverify
