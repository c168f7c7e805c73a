#include "csv.hpp"

#include <fmt/format.h>

namespace pickverify::app {

Result<std::vector<CsvRecord>> parse_csv(std::string_view text)
{
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  bool in_quotes = false;
  bool field_was_quoted = false;
  int line = 1;
  record.line = 1;
  int quote_line = 0;

  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    const bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank) {
      records.push_back(std::move(record));
    }
    record = CsvRecord{};
    record.line = line;
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') {
          ++line;
        }
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || field_was_quoted) {
        return make_error(ErrorType::invalid_input, fmt::format("line {}: a quote inside an unquoted field", line));
      }
      in_quotes = true;
      field_was_quoted = true;
      quote_line = line;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      ++line;
      end_record();
    } else {
      if (field_was_quoted) {
        return make_error(ErrorType::invalid_input, fmt::format("line {}: text after a closing quote", line));
      }
      field += c;
    }
  }
  if (in_quotes) {
    return make_error(ErrorType::invalid_input, fmt::format("line {}: a quoted field is never closed", quote_line));
  }
  if (!field.empty() || !record.fields.empty() || field_was_quoted) {
    end_record();
  }
  return records;
}

} // namespace pickverify::app
