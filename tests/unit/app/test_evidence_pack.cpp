// write_evidence_pack / verify_evidence_pack on a store built row by row: hostile bytes survive the
// pack exactly, a pack verifies without the database, and a changed row, photo or file is named.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <pickverify/evidence.hpp>
#include <pickverify/store.hpp>

#include "evidence_pack.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using namespace pickverify::app;
using namespace std::string_literals;
using Catch::Matchers::Contains;

namespace {

std::string slurp(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void spit(const std::filesystem::path& path, const std::string& bytes)
{
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

bool names(const EvidencePackCheck& check, const std::string& text)
{
  for (const auto& problem : check.problems) {
    if (problem.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

struct Packed {
  test::TempDir dir;
  std::unique_ptr<Store> store;
  std::optional<StationKey> key;
  std::string photo_hash;
};

// ORD-1 packed at st-1 with a photo; its scans carry NUL, GS and a byte that is not UTF-8.
void pack_order(Packed& packed, bool weighed = false)
{
  auto store = open_sqlite_store(packed.dir / "pickverify.db");
  REQUIRE(store);
  packed.store = std::move(*store);
  auto key = StationKey::load_or_create(packed.dir / "keys" / "st-1.key");
  REQUIRE(key);
  packed.key.emplace(std::move(*key));
  Catalog catalog;
  Item item;
  item.sku = "SOCK";
  item.gtins = {"09506000001975"};
  item.description = "Socks";
  REQUIRE(catalog.add_item(item));
  REQUIRE(packed.store->save_catalog(catalog));
  Order order;
  order.id = "ORD-1";
  order.value = Money{2400, "USD"};
  order.lines.push_back(OrderLine{1, "SOCK", "", {}, 2, ""});
  REQUIRE(packed.store->save_orders({order}));
  const std::vector<std::uint8_t> photo{0xFF, 0xD8, 0xFF, 0xD9, 'x', 'y'}; // not a real JPEG: the PDF says so
  auto stored = store_evidence(packed.dir.path(), photo);
  REQUIRE(stored);
  packed.photo_hash = *stored;
  auto row = [&](const std::string& type) {
    JournalEntry entry;
    entry.type = type;
    entry.station = "st-1";
    entry.operator_id = "P-1";
    entry.order_id = "ORD-1";
    entry.session_id = "S-1";
    return entry;
  };
  REQUIRE(packed.store->append_one(row("session_started")));
  JournalEntry other = row("scan");
  other.order_id = "ORD-2"; // another order's row in between: part of the chain, not of the summary
  other.session_id = "S-2";
  other.raw = "ORD-2 scan";
  REQUIRE(packed.store->append_one(other));
  JournalEntry hostile = row("scan");
  hostile.raw = "01\0"s
                "09506000001975\x1d"
                "10AB\xff";
  hostile.verdict = "malformed";
  hostile.reason = "could not use this read (\xff)";
  REQUIRE(packed.store->append_one(hostile));
  for (int i = 0; i < 2; ++i) {
    JournalEntry scan = row("scan");
    scan.raw = "09506000001975";
    scan.gtin = "09506000001975";
    scan.verdict = "accepted";
    REQUIRE(packed.store->append_one(scan));
  }
  JournalEntry check = row("image_check");
  check.verdict = "passed";
  check.evidence_hash = packed.photo_hash;
  REQUIRE(packed.store->append_one(check));
  if (weighed) {
    // The incident's shape: refused 230 g too heavy, then weighed again without the extra item.
    JournalEntry heavy = row("weight_check");
    heavy.reason = "the box weighs 1,240 g, expected 1,010 g ± 40 g: 230 g too heavy — is something extra inside?";
    heavy.detail = R"({"expected_mg":1010000,"tolerance_mg":40000,"measured_mg":1240000,"measured":"1240 g",)"
                   R"("difference_mg":230000,"outcome":"too_heavy"})";
    REQUIRE(packed.store->append_one(heavy));
    REQUIRE(packed.store->append_one(row("pack_refused")));
    JournalEntry fine = row("weight_check");
    fine.reason = "the box weighs 1,015 g, expected 1,010 g ± 40 g: within tolerance";
    fine.detail = R"({"expected_mg":1010000,"tolerance_mg":40000,"measured_mg":1015000,"measured":"1.015 kg",)"
                  R"("difference_mg":5000,"outcome":"passed"})";
    REQUIRE(packed.store->append_one(fine));
  }
  REQUIRE(packed.store->append_one(row("pack_released")));
  REQUIRE(packed.store->append_one(row("packed")));
}

} // namespace

TEST_CASE("write_evidence_pack writes a pack that verify_evidence_pack finds intact", "[evidence]")
{
  Packed packed;
  pack_order(packed);
  const auto out = packed.dir / "pack";
  auto written = write_evidence_pack(*packed.store, {"ORD-1", out, packed.dir.path(), &*packed.key, "st-1"});
  REQUIRE(written);
  CHECK(written->session_id == "S-1");
  CHECK(written->session_rows == 7);
  CHECK(written->rows == 9); // with ORD-2's row, and the checkpoint journaled now
  CHECK(written->checkpoint_added);
  CHECK(written->photos == 1);

  auto check = verify_evidence_pack(out, {packed.key->public_key_hex()});
  REQUIRE(check);
  INFO((check->problems.empty() ? std::string() : check->problems.front()));
  CHECK(check->ok());
  CHECK(check->key_trusted);
  CHECK(check->rows_checked == 9);
  CHECK(check->photos_checked == 1);
  CHECK(check->order_id == "ORD-1");
  // The summary shows the order's session only.
  const std::string html = slurp(out / "summary.html");
  CHECK_THAT(html, Contains("ORD-1"));
  CHECK_THAT(html, !Contains("ORD-2 scan"));
  CHECK_THAT(html, Contains(packed.photo_hash));
  CHECK(slurp(out / "summary.pdf").rfind("%PDF-", 0) == 0);

  // A second pack goes to a new folder only.
  auto again = write_evidence_pack(*packed.store, {"ORD-1", out, packed.dir.path(), &*packed.key, "st-1"});
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error().message, Contains("not empty"));
}

TEST_CASE("write_evidence_pack puts every weighing in the summary and the release's weight in the manifest",
          "[evidence][weighing]")
{
  Packed packed;
  pack_order(packed, true);
  const auto out = packed.dir / "pack";
  REQUIRE(write_evidence_pack(*packed.store, {"ORD-1", out, packed.dir.path(), &*packed.key, "st-1"}));
  auto check = verify_evidence_pack(out, {packed.key->public_key_hex()});
  REQUIRE(check);
  INFO((check->problems.empty() ? std::string() : check->problems.front()));
  CHECK(check->ok());

  const std::string html = slurp(out / "summary.html");
  CHECK_THAT(html, Contains("<h2>Weight</h2>"));
  CHECK_THAT(html, Contains("<td>1,240 g</td><td>1,010 g ± 40 g</td><td>too_heavy</td>"));
  CHECK_THAT(html, Contains("230 g too heavy — is something extra inside?"));
  CHECK_THAT(html, Contains("<td>1,015 g</td><td>1,010 g ± 40 g</td><td>passed</td>"));
  CHECK(html.find("weight_check") == std::string::npos); // not among the other events any more

  const std::string manifest_text = slurp(out / "manifest.json");
  auto manifest = nlohmann::ordered_json::parse(manifest_text);
  REQUIRE(manifest.contains("weight"));
  CHECK(manifest["weight"]["outcome"] == "passed");
  CHECK(manifest["weight"]["measured_mg"] == 1015000);
  CHECK(manifest["weight"]["expected_mg"] == 1010000);
  CHECK(manifest["weight"]["tolerance_mg"] == 40000);

  // A manifest re-signed with another weight (whoever holds the key) still disagrees with its row.
  manifest["weight"]["measured_mg"] = 1010000;
  const std::string forged = manifest.dump(2) + "\n";
  spit(out / "manifest.json", forged);
  spit(out / "manifest.sig", packed.key->sign(forged) + "\n");
  check = verify_evidence_pack(out, {});
  REQUIRE(check);
  CHECK(names(*check, "manifest.json: the weight differs from journal row"));

  // A pack of a session never weighed says so and names no weight.
  Packed plain;
  pack_order(plain);
  const auto plain_out = plain.dir / "pack";
  REQUIRE(write_evidence_pack(*plain.store, {"ORD-1", plain_out, plain.dir.path(), &*plain.key, "st-1"}));
  CHECK_THAT(slurp(plain_out / "summary.html"), Contains("The pack was not weighed."));
  CHECK_FALSE(nlohmann::json::parse(slurp(plain_out / "manifest.json")).contains("weight"));
}

TEST_CASE("verify_evidence_pack names a changed row, photo and checkpoint", "[evidence]")
{
  Packed packed;
  pack_order(packed);
  const auto out = packed.dir / "pack";
  REQUIRE(write_evidence_pack(*packed.store, {"ORD-1", out, packed.dir.path(), &*packed.key, "st-1"}));

  std::string journal = slurp(out / "journal.jsonl");
  const auto at = journal.find("\"verdict\":\"malformed\"");
  REQUIRE(at != std::string::npos);
  std::string changed = journal;
  changed.replace(at, 21, "\"verdict\":\"accepted\"");
  spit(out / "journal.jsonl", changed);
  auto check = verify_evidence_pack(out, {});
  REQUIRE(check);
  CHECK(names(*check, "journal.jsonl:3 (seq 3): the row does not hash to its hash"));
  CHECK(names(*check, "journal.jsonl: changed"));
  spit(out / "journal.jsonl", journal);

  const auto photo = out / "photos" / (packed.photo_hash + ".jpg");
  const std::string bytes = slurp(photo);
  spit(photo, bytes + "!");
  check = verify_evidence_pack(out, {});
  REQUIRE(check);
  CHECK(names(*check, "the photo was changed"));
  spit(photo, bytes);

  const std::string checkpoint = slurp(out / "checkpoint.json");
  std::string other = checkpoint;
  other[other.find("\"seq\":") + 6] ^= 1;
  spit(out / "checkpoint.json", other);
  check = verify_evidence_pack(out, {});
  REQUIRE(check);
  CHECK(names(*check, "checkpoint.json"));
  spit(out / "checkpoint.json", checkpoint);

  check = verify_evidence_pack(out, {"00" + packed.key->public_key_hex().substr(2)});
  REQUIRE(check);
  CHECK(names(*check, "not one of the trusted station keys"));
  check = verify_evidence_pack(out, {});
  REQUIRE(check);
  CHECK(check->ok());
}

TEST_CASE("write_evidence_pack refuses an order without a session, and a photo that was changed", "[evidence]")
{
  Packed packed;
  pack_order(packed);
  Order lonely;
  lonely.id = "ORD-3";
  lonely.value = Money{100, "USD"};
  lonely.lines.push_back(OrderLine{1, "SOCK", "", {}, 1, ""});
  REQUIRE(packed.store->save_orders({lonely}));
  auto none = write_evidence_pack(*packed.store, {"ORD-3", packed.dir / "p3", packed.dir.path(), &*packed.key, "st-1"});
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error().message, Contains("no session"));

  spit(evidence_path(packed.dir.path(), packed.photo_hash), "swapped");
  auto swapped =
      write_evidence_pack(*packed.store, {"ORD-1", packed.dir / "p1", packed.dir.path(), &*packed.key, "st-1"});
  REQUIRE_FALSE(swapped);
  CHECK_THAT(swapped.error().message, Contains("altered"));
}
