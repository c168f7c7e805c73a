#include "webhooks.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

// Debian's cpp-httplib is built with OpenSSL: the same client speaks http:// and https://. The
// service itself serves with Boost.Beast; this is only the outbound client, one request at a time.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#include <httplib.h>

#include <pickverify/journal_export.hpp>
#include <pickverify/text.hpp>

#ifndef PICKVERIFY_VERSION
#define PICKVERIFY_VERSION "dev"
#endif

namespace pickverify::server {

namespace {

using nlohmann::json;

struct ParsedUrl {
  std::string origin; // scheme://host[:port]
  std::string path;   // starts with '/'
};

Result<ParsedUrl> parse_url(const std::string& url)
{
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return make_error(ErrorType::invalid_input, fmt::format("\"{}\" is not a URL (http://host[:port]/path)", url));
  }
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return make_error(ErrorType::invalid_input,
                      fmt::format("\"{}\": a webhook URL starts with http:// or https://", url));
  }
  const auto path_start = url.find('/', scheme_end + 3);
  ParsedUrl parsed;
  parsed.origin = url.substr(0, path_start);
  parsed.path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (parsed.origin.size() <= scheme_end + 3) {
    return make_error(ErrorType::invalid_input, fmt::format("\"{}\": the URL has no host", url));
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return make_error(ErrorType::invalid_input, "a webhook URL may not contain spaces or control characters");
    }
  }
  return parsed;
}

bool valid_name(const std::string& name)
{
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Written to a temporary file, fsync'd, renamed over the old one, and the folder fsync'd: after a
// crash the cursor is the old or the new value, never a torn one.
Result<void> write_cursor(const std::filesystem::path& path, std::int64_t seq)
{
  const std::string temporary = path.string() + ".new";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(ErrorType::io, fmt::format("{}: cannot be written", temporary));
  }
  const std::string text = std::to_string(seq) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    return make_error(ErrorType::io, fmt::format("{}: cannot be written", temporary));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    return make_error(ErrorType::io, fmt::format("{}: {}", path.string(), ec.message()));
  }
  if (const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return {};
}

Result<std::optional<std::int64_t>> read_cursor(const std::filesystem::path& path)
{
  if (!std::filesystem::exists(path)) {
    return std::optional<std::int64_t>{};
  }
  std::ifstream file(path);
  std::string text;
  std::getline(file, text);
  std::int64_t seq = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec != std::errc{} || end != text.data() + text.size() || seq < 0) {
    return make_error(
        ErrorType::corrupt,
        fmt::format("{}: not a journal seq (delete it to start this webhook at the journal head)", path.string()));
  }
  return std::optional<std::int64_t>{seq};
}

} // namespace

std::string webhook_event_of(const std::string& journal_type)
{
  if (journal_type == "pack_released") {
    return "pack.released";
  }
  if (journal_type == "alert_opened") {
    return "alert.opened";
  }
  return {};
}

std::string webhook_body(const JournalEntry& entry)
{
  json body{{"id", entry.hash},
            {"event", webhook_event_of(entry.type)},
            {"occurred_at", format_utc_ms(entry.utc_ms)},
            {"station", entry.station},
            {"operator", entry.operator_id},
            {"order_id", entry.order_id},
            {"session_id", entry.session_id},
            {"journal_seq", entry.seq},
            {"journal_hash", entry.hash},
            {"reason", entry.reason}};
  if (!entry.verdict.empty()) {
    body["verdict"] = entry.verdict;
  }
  if (!entry.gtin.empty()) {
    body["gtin"] = entry.gtin;
  }
  if (!entry.evidence_hash.empty()) {
    body["evidence_hash"] = entry.evidence_hash;
  }
  const auto detail = json::parse(entry.detail, nullptr, false);
  if (detail.is_object() && detail.contains("alert_id") && detail["alert_id"].is_number_integer()) {
    body["alert_id"] = detail["alert_id"];
  }
  // Journal text is what a scanner or a person typed: invalid UTF-8 is replaced, not thrown on.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body)
{
  const std::string signed_text = std::to_string(unix_seconds) + "." + body;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return fmt::format("t={},v1={}", unix_seconds,
                     text::to_hex(std::string_view(reinterpret_cast<char*>(mac), sizeof mac)));
}

struct WebhookDispatcher::Target {
  WebhookTarget config;
  ParsedUrl url;
  std::filesystem::path cursor_file;
  std::int64_t cursor = 0;
  std::chrono::steady_clock::time_point next_attempt{};
  std::chrono::milliseconds backoff{0};
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::string last_error;
  bool wants(const std::string& event) const
  {
    return !event.empty() && (config.events.empty() ||
                              std::find(config.events.begin(), config.events.end(), event) != config.events.end());
  }
};

WebhookDispatcher::WebhookDispatcher(Store& store, std::filesystem::path state_dir, WebhookTiming timing)
    : m_store(store), m_state_dir(std::move(state_dir)), m_timing(timing)
{
}

Result<std::unique_ptr<WebhookDispatcher>> WebhookDispatcher::start(Store& store, std::filesystem::path state_dir,
                                                                    std::vector<WebhookTarget> targets,
                                                                    WebhookTiming timing)
{
  if (sodium_init() < 0) {
    return make_error(ErrorType::internal, "libsodium failed to start");
  }
  std::unique_ptr<WebhookDispatcher> dispatcher(new WebhookDispatcher(store, std::move(state_dir), timing));
  std::error_code ec;
  std::filesystem::create_directories(dispatcher->m_state_dir, ec);
  if (ec) {
    return make_error(ErrorType::io, fmt::format("{}: {}", dispatcher->m_state_dir.string(), ec.message()));
  }
  std::optional<std::int64_t> head;
  for (auto& config : targets) {
    const std::string where = fmt::format("webhook \"{}\"", config.name);
    if (!valid_name(config.name)) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: a webhook name has 1 to 64 of a-z, 0-9, '-' and '_'", where));
    }
    for (const auto& other : dispatcher->m_targets) {
      if (other->config.name == config.name) {
        return make_error(ErrorType::invalid_input, fmt::format("{}: two webhooks have this name", where));
      }
    }
    auto url = parse_url(config.url);
    if (!url) {
      return tl::unexpected(url.error().with_context(where));
    }
    if (config.secret.size() < 16) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: the signing secret needs at least 16 characters", where));
    }
    for (const auto& event : config.events) {
      if (event != "pack.released" && event != "alert.opened") {
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: event \"{}\" is not pack.released or alert.opened", where, event));
      }
    }
    auto target = std::make_unique<Target>();
    target->url = *url;
    target->cursor_file = dispatcher->m_state_dir / (config.name + ".cursor");
    auto cursor = read_cursor(target->cursor_file);
    if (!cursor) {
      return tl::unexpected(cursor.error().with_context(where));
    }
    if (*cursor) {
      target->cursor = **cursor;
    } else {
      if (!head) {
        // A new receiver starts at the journal's head: one read of the head record, however long
        // the journal (the chain itself is audit verify's job).
        auto seq = store.head_seq();
        if (!seq) {
          return tl::unexpected(seq.error().with_context(where));
        }
        head = *seq;
      }
      target->cursor = *head;
      if (auto written = write_cursor(target->cursor_file, target->cursor); !written) {
        return tl::unexpected(written.error().with_context(where));
      }
    }
    target->config = std::move(config);
    dispatcher->m_targets.push_back(std::move(target));
  }
  if (!dispatcher->m_targets.empty()) {
    dispatcher->m_thread = std::thread([raw = dispatcher.get()] { raw->run(); });
  }
  return dispatcher;
}

WebhookDispatcher::~WebhookDispatcher()
{
  stop();
}

void WebhookDispatcher::wake()
{
  {
    std::lock_guard lock(m_mutex);
    m_woken = true;
  }
  m_wake.notify_one();
}

void WebhookDispatcher::stop()
{
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

std::vector<WebhookStatus> WebhookDispatcher::status() const
{
  std::lock_guard lock(m_mutex);
  std::vector<WebhookStatus> out;
  for (const auto& target : m_targets) {
    out.push_back(WebhookStatus{target->config.name, target->cursor, target->delivered, target->failed_attempts,
                                target->last_error});
  }
  return out;
}

void WebhookDispatcher::run()
{
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    m_woken = false;
    auto next_wake = std::chrono::steady_clock::now() + m_timing.poll;
    for (auto& target : m_targets) {
      if (std::chrono::steady_clock::now() < target->next_attempt) {
        next_wake = std::min(next_wake, target->next_attempt);
        continue;
      }
      lock.unlock();
      while (deliver_next(*target)) {
        std::lock_guard check(m_mutex);
        if (m_stop) {
          break;
        }
      }
      lock.lock();
      if (target->backoff.count() > 0) {
        next_wake = std::min(next_wake, target->next_attempt);
      }
    }
    m_wake.wait_until(lock, next_wake, [this] { return m_stop || m_woken; });
  }
}

bool WebhookDispatcher::deliver_next(Target& target)
{
  // The first subscribed row after the cursor; rows of other types move the cursor on with it.
  std::optional<JournalEntry> next;
  std::int64_t scanned_to = target.cursor;
  JournalFilter filter;
  filter.from_seq = target.cursor + 1;
  auto read = m_store.read_journal(filter, [&](const JournalEntry& entry) {
    scanned_to = entry.seq;
    if (target.wants(webhook_event_of(entry.type))) {
      next = entry;
      return false;
    }
    return scanned_to - target.cursor < 10000; // a bounded read; the rest on the next turn
  });
  const auto fail = [&](std::string why) {
    std::lock_guard lock(m_mutex);
    ++target.failed_attempts;
    target.last_error = std::move(why);
    target.backoff =
        target.backoff.count() == 0 ? m_timing.first_retry : std::min(m_timing.max_retry, target.backoff * 2);
    target.next_attempt = std::chrono::steady_clock::now() + target.backoff;
    return false;
  };
  if (!read) {
    return fail("journal: " + read.error().message);
  }
  if (!next) {
    if (scanned_to != target.cursor) {
      if (auto written = write_cursor(target.cursor_file, scanned_to); !written) {
        return fail(written.error().message);
      }
      std::lock_guard lock(m_mutex);
      target.cursor = scanned_to;
      return scanned_to - (filter.from_seq.value() - 1) >= 10000; // more may follow a bounded read
    }
    return false;
  }

  const std::string body = webhook_body(*next);
  const auto now = std::chrono::system_clock::now();
  const std::int64_t unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  httplib::Client client(target.url.origin);
  const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(m_timing.request_timeout);
  client.set_connection_timeout(0, static_cast<time_t>(timeout.count()));
  client.set_read_timeout(0, static_cast<time_t>(timeout.count()));
  client.set_write_timeout(0, static_cast<time_t>(timeout.count()));
  client.enable_server_certificate_verification(true);
  const httplib::Headers headers{
      {"User-Agent", "pickverify/" PICKVERIFY_VERSION},
      {"X-Pickverify-Event", webhook_event_of(next->type)},
      {"X-Pickverify-Delivery", next->hash},
      {"X-Pickverify-Signature", webhook_signature(target.config.secret, unix_seconds, body)},
  };
  auto response = client.Post(target.url.path, headers, body, "application/json");
  if (!response) {
    return fail(fmt::format("{}: {}", target.config.url, httplib::to_string(response.error())));
  }
  if (response->status < 200 || response->status > 299) {
    return fail(fmt::format("{}: answered {}", target.config.url, response->status));
  }
  if (auto written = write_cursor(target.cursor_file, next->seq); !written) {
    return fail(written.error().message);
  }
  std::lock_guard lock(m_mutex);
  target.cursor = next->seq;
  ++target.delivered;
  target.last_error.clear();
  target.backoff = std::chrono::milliseconds{0};
  target.next_attempt = {};
  return true;
}

} // namespace pickverify::server
