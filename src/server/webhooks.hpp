// Webhooks out: pack.released and alert.opened, signed with HMAC-SHA256, delivered at least once.
//
// The outbox is the journal itself: every journal row is durable before the picker sees its
// verdict, so an event cannot be lost between "happened" and "queued". Each target keeps one
// cursor, the seq of the last row it acknowledged with a 2xx, in <state_dir>/<name>.cursor
// (written atomically, fsync'd). A delivery thread sends the subscribed rows after the cursor in
// journal order, one at a time per target, and retries a failure with exponential back-off; a
// restart or a crash resends from the cursor, so a receiver may see an event twice (the
// X-Pickverify-Delivery id is stable: deduplicate on it) but never misses one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pickverify/server.hpp>
#include <pickverify/store.hpp>

namespace pickverify::server {

// "pack.released" for journal type pack_released, "alert.opened" for alert_opened; empty otherwise.
std::string webhook_event_of(const std::string& journal_type);

// The body sent for one journal row (JSON): id, event, occurred_at, station, order, session,
// journal seq and hash, reason, verdict, alert id and evidence hash where the row has them.
std::string webhook_body(const JournalEntry& entry);

// X-Pickverify-Signature: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>".
std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body);

struct WebhookTiming {
  std::chrono::milliseconds first_retry{1000}; // doubled after each failure …
  std::chrono::milliseconds max_retry{300000}; // … up to this
  std::chrono::milliseconds poll{1000};        // new rows from other processes (run) are found this often
  std::chrono::milliseconds request_timeout{10000};
};

struct WebhookStatus {
  std::string name;
  std::int64_t cursor = 0; // last acknowledged journal seq
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::string last_error; // empty after a success
};

class WebhookDispatcher {
public:
  // Checks every target (name, URL, secret, events) and reads or creates its cursor: a new target
  // starts at the current journal head (it is not sent the past).
  static Result<std::unique_ptr<WebhookDispatcher>>
  start(Store& store, std::filesystem::path state_dir, std::vector<WebhookTarget> targets, WebhookTiming timing = {});
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void wake(); // a row was journaled here: look now rather than at the next poll
  void stop(); // idempotent; an attempt in flight finishes (bounded by request_timeout)
  std::vector<WebhookStatus> status() const;

private:
  struct Target;
  WebhookDispatcher(Store& store, std::filesystem::path state_dir, WebhookTiming timing);
  void run();
  bool deliver_next(Target& target); // true when it sent one successfully and there may be more

  Store& m_store;
  std::filesystem::path m_state_dir;
  WebhookTiming m_timing;
  std::vector<std::unique_ptr<Target>> m_targets;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  bool m_woken = false;
  std::thread m_thread;
};

} // namespace pickverify::server
