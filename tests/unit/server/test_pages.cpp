// The pages as the service serves them (the embedded assets): their filters offer every value the
// journal and the alert queue can hold, so nothing a station journals is unfindable.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

#include <pickverify/image_check_result.hpp>
#include <pickverify/policy.hpp>

#include "assets.hpp"

using namespace pickverify;

namespace {

// The values of the <option>s of <select id="id"> in an embedded page (an option's text when it
// has no value attribute, as a browser reads it).
std::set<std::string> select_options(std::string_view page, const std::string& id)
{
  const server::Asset* asset = server::find_asset(std::string("/assets/") + std::string(page));
  REQUIRE(asset);
  const std::string html(asset->data);
  const auto start = html.find("<select id=\"" + id + "\"");
  REQUIRE(start != std::string::npos);
  const auto end = html.find("</select>", start);
  REQUIRE(end != std::string::npos);
  const std::string select = html.substr(start, end - start);
  std::set<std::string> values;
  static const std::regex k_option(R"re(<option(?:\s+value="([^"]*)")?>([^<]*)</option>)re");
  for (std::sregex_iterator it(select.begin(), select.end(), k_option), last; it != last; ++it) {
    values.insert((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
  }
  return values;
}

} // namespace

TEST_CASE("supervisor.html: the kind filter offers every alert kind", "[server][pages]")
{
  const auto kinds = select_options("supervisor.html", "filter-kind");
  CHECK(kinds.count("") == 1); // all kinds
  CHECK(kinds.count("image_check") == 1);
  for (const Verdict verdict : k_all_verdicts) {
    if (verdict == Verdict::accepted) {
      continue; // never an alert (policy refuses it in alert_on)
    }
    INFO("verdict " << to_string(verdict));
    CHECK(kinds.count(std::string(to_string(verdict))) == 1);
  }
}

TEST_CASE("qa.html: the verdict filter offers every verdict a journal row can have", "[server][pages]")
{
  const auto verdicts = select_options("qa.html", "q-verdict");
  CHECK(verdicts.count("") == 1); // any
  for (const Verdict verdict : k_all_verdicts) {
    INFO("verdict " << to_string(verdict));
    CHECK(verdicts.count(std::string(to_string(verdict))) == 1);
  }
  for (const auto outcome :
       {ImageCheckOutcome::passed, ImageCheckOutcome::failed, ImageCheckOutcome::retake, ImageCheckOutcome::offline}) {
    INFO("image check " << to_string(outcome));
    CHECK(verdicts.count(std::string(to_string(outcome))) == 1);
  }
  CHECK(verdicts.count("image_check") == 1); // an image check's alert rows
}
