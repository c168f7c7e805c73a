// parse_csv: RFC 4180 records with the line each starts on, so import errors point at the right line.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "csv.hpp"

using pickverify::app::CsvRecord;
using pickverify::app::parse_csv;

namespace {

std::vector<CsvRecord> must_parse(std::string_view text)
{
  auto records = parse_csv(text);
  INFO((records ? std::string() : records.error().message));
  REQUIRE(records.has_value());
  return *records;
}

using Fields = std::vector<std::string>;

} // namespace

TEST_CASE("parse_csv reads plain records with their line numbers", "[csv]")
{
  const auto records = must_parse("sku,gtins\nA,1\nB,2\n");
  REQUIRE(records.size() == 3);
  CHECK(records[0].fields == Fields{"sku", "gtins"});
  CHECK(records[1].fields == Fields{"A", "1"});
  CHECK(records[2].fields == Fields{"B", "2"});
  CHECK(records[0].line == 1);
  CHECK(records[1].line == 2);
  CHECK(records[2].line == 3);
}

TEST_CASE("parse_csv keeps empty fields and a last line without a line break", "[csv]")
{
  const auto records = must_parse("a,,c\n,\nx,y");
  REQUIRE(records.size() == 3);
  CHECK(records[0].fields == Fields{"a", "", "c"});
  CHECK(records[1].fields == Fields{"", ""});
  CHECK(records[2].fields == Fields{"x", "y"});
  CHECK(records[2].line == 3);
}

TEST_CASE("parse_csv reads quoted fields with commas, doubled quotes and line breaks", "[csv]")
{
  const auto records = must_parse("sku,description\n"
                                  "A,\"Laces, black, 120 cm\"\n"
                                  "B,\"The \"\"trail\"\" runner\"\n"
                                  "C,\"two\nlines\"\n"
                                  "D,\"\"\n"
                                  "E,after\n");
  REQUIRE(records.size() == 6);
  CHECK(records[1].fields == Fields{"A", "Laces, black, 120 cm"});
  CHECK(records[2].fields == Fields{"B", "The \"trail\" runner"});
  CHECK(records[3].fields == Fields{"C", "two\nlines"});
  CHECK(records[3].line == 4);
  CHECK(records[4].fields == Fields{"D", ""});
  // The record after a field with a line break starts on the right line.
  CHECK(records[4].line == 6);
  CHECK(records[5].line == 7);
}

TEST_CASE("parse_csv accepts CRLF line ends and keeps CRLF inside quotes", "[csv]")
{
  const auto records = must_parse("sku,description\r\nA,\"x\r\ny\"\r\nB,z\r\n");
  REQUIRE(records.size() == 3);
  CHECK(records[0].fields == Fields{"sku", "description"});
  CHECK(records[1].fields == Fields{"A", "x\r\ny"});
  CHECK(records[2].fields == Fields{"B", "z"});
  CHECK(records[2].line == 4);
}

TEST_CASE("parse_csv skips a UTF-8 byte order mark and blank lines", "[csv]")
{
  const auto records = must_parse("\xEF\xBB\xBFsku,gtins\n\nA,1\n\r\n\nB,2\n");
  REQUIRE(records.size() == 3);
  CHECK(records[0].fields == Fields{"sku", "gtins"}); // not "\xEF\xBB\xBFsku"
  CHECK(records[1].fields == Fields{"A", "1"});
  CHECK(records[1].line == 3);
  CHECK(records[2].fields == Fields{"B", "2"});
  CHECK(records[2].line == 6);
}

TEST_CASE("parse_csv keeps bytes it does not interpret", "[csv]")
{
  const std::string text = std::string("A,caf\xC3\xA9 \xFF\t;x\n", 13);
  const auto records = must_parse(text);
  REQUIRE(records.size() == 1);
  CHECK(records[0].fields == Fields{"A", std::string("caf\xC3\xA9 \xFF\t;x")});
}

TEST_CASE("parse_csv reports an unterminated quote with the line it started on", "[csv]")
{
  const auto result = parse_csv("sku,description\nA,ok\nB,\"never closed\nC,more\nD,and more\n");
  REQUIRE_FALSE(result);
  CHECK(result.error().type == pickverify::ErrorType::invalid_input);
  CHECK(result.error().message == "line 3: a quoted field is never closed");
}

TEST_CASE("parse_csv rejects stray quotes with their line", "[csv]")
{
  const auto inside = parse_csv("a,b\nA,ab\"c\n");
  REQUIRE_FALSE(inside);
  CHECK(inside.error().message == "line 2: a quote inside an unquoted field");

  const auto after = parse_csv("a,b\n\"x\n y\"z,1\n");
  REQUIRE_FALSE(after);
  CHECK(after.error().message == "line 3: text after a closing quote");
}

TEST_CASE("parse_csv of an empty text is no records", "[csv]")
{
  CHECK(must_parse("").empty());
  CHECK(must_parse("\xEF\xBB\xBF").empty());
  CHECK(must_parse("\n\n").empty());
}
