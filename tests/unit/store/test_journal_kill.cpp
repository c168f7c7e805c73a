// The kill test: writer processes appending to one journal are SIGKILLed at random moments.
// Every event a writer reported durable must be there afterwards, with the same hash, and the
// chain must verify.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include <pickverify/store.hpp>

#include "temp_dir.hpp"

extern char** environ;

using namespace pickverify;

namespace {

struct Writer {
  pid_t pid = -1;
  int stdout_fd = -1;
  std::string output;
  std::thread reader;

  // Reaps the process (killing it first) and joins the reader; returns the wait status.
  int finish()
  {
    int status = 0;
    if (pid > 0) {
      kill(pid, SIGKILL); // harmless when it was killed already
      waitpid(pid, &status, 0);
      pid = -1;
    }
    if (reader.joinable()) {
      reader.join();
    }
    if (stdout_fd >= 0) {
      close(stdout_fd);
      stdout_fd = -1;
    }
    return status;
  }
  // A failed REQUIRE unwinds through here: no orphan process, no joinable thread.
  ~Writer() { finish(); }
};

void start_writer(Writer& writer, const std::filesystem::path& db, const std::string& station, unsigned seed,
                  const std::filesystem::path& stderr_file, const std::string& max_events = "-1")
{
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string program = PICKVERIFY_JOURNAL_WRITER;
  std::string db_arg = db.string();
  std::string seed_arg = std::to_string(seed);
  std::string max_arg = max_events;
  char* argv[] = {program.data(),  db_arg.data(),  const_cast<char*>(station.c_str()),
                  seed_arg.data(), max_arg.data(), nullptr};
  const int rc = posix_spawn(&writer.pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  REQUIRE(rc == 0);
  writer.stdout_fd = pipe_fds[0];
  // Read while it runs, so a full pipe never holds the writer back.
  writer.reader = std::thread([&writer] {
    char buffer[4096];
    for (;;) {
      const ssize_t n = read(writer.stdout_fd, buffer, sizeof buffer);
      if (n <= 0) {
        break;
      }
      writer.output.append(buffer, static_cast<std::size_t>(n));
    }
  });
}

// Complete lines only: a line cut short by the kill was never fully reported.
void collect_durable(const std::string& output, std::map<std::int64_t, std::string>& durable)
{
  std::size_t start = 0;
  for (std::size_t end = output.find('\n'); end != std::string::npos; end = output.find('\n', start)) {
    std::istringstream line(output.substr(start, end - start));
    std::string word;
    std::int64_t seq = 0;
    std::string hash;
    line >> word >> seq >> hash;
    REQUIRE(word == "durable");
    REQUIRE(hash.size() == 64);
    REQUIRE(durable.emplace(seq, hash).second); // no seq reported twice, across processes too
    start = end + 1;
  }
}

std::string read_file(const std::filesystem::path& path)
{
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("SqliteStore::append survives SIGKILL: every event reported durable is kept", "[store][journal][kill]")
{
  test::TempDir dir;
  const auto db = dir / "pickverify.db";
  const auto seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 random(seed);
  std::map<std::int64_t, std::string> durable;

  constexpr int k_rounds = 6;
  for (int round = 0; round < k_rounds; ++round) {
    // Two writers at once: the kill test also covers two processes sharing one chain.
    Writer writers[2];
    for (int w = 0; w < 2; ++w) {
      start_writer(writers[w], db, "st-" + std::to_string(round) + "-" + std::to_string(w),
                   static_cast<unsigned>(random()), dir / "writer.stderr");
    }
    for (Writer& writer : writers) {
      // A few kills land early (during open and migration), most mid-stream.
      const int delay_ms = random() % 4 == 0 ? static_cast<int>(random() % 20) : 20 + static_cast<int>(random() % 300);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      REQUIRE(kill(writer.pid, SIGKILL) == 0);
    }
    for (Writer& writer : writers) {
      const int status = writer.finish();
      INFO("writer stderr: " << read_file(dir / "writer.stderr"));
      REQUIRE(WIFSIGNALED(status)); // it ran until it was killed, not into an error
      CHECK(WTERMSIG(status) == SIGKILL);
      collect_durable(writer.output, durable);
    }
  }
  INFO(durable.size() << " events reported durable in " << k_rounds << " rounds");
  REQUIRE(durable.size() > 0);

  auto store = open_sqlite_store(db);
  REQUIRE(store);
  std::map<std::int64_t, std::string> stored;
  REQUIRE((*store)->read_journal({}, [&stored](const JournalEntry& entry) {
    stored.emplace(entry.seq, entry.hash);
    return true;
  }));
  std::size_t missing = 0;
  for (const auto& [seq, hash] : durable) {
    auto found = stored.find(seq);
    if (found == stored.end() || found->second != hash) {
      ++missing;
      UNSCOPED_INFO("seq " << seq << " reported durable with hash " << hash << " but "
                           << (found == stored.end() ? "missing" : "stored as " + found->second));
    }
  }
  CHECK(missing == 0);

  auto report = (*store)->verify_chain();
  REQUIRE(report);
  INFO(report->problem);
  CHECK(report->intact());
  CHECK(report->event_count == static_cast<std::int64_t>(stored.size()));
  CHECK(stored.size() >= durable.size()); // a kill between commit and print loses only the print
}

TEST_CASE("open_sqlite_store lets several processes create the same new database at once", "[store][journal][kill]")
{
  // Stations starting together on a new data folder: SQLite answers the switch to WAL with an
  // immediate "locked" to all but one of them unless the store retries.
  constexpr int k_processes = 6;
  std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 6; ++attempt) {
    test::TempDir dir;
    const auto db = dir / "pickverify.db";
    Writer writers[k_processes];
    for (int w = 0; w < k_processes; ++w) {
      // Staggered by up to 3 ms, so later ones arrive while the first is in its first transaction.
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
      start_writer(writers[w], db, "st-" + std::to_string(w), static_cast<unsigned>(w), dir / "writer.stderr", "1");
    }
    std::map<std::int64_t, std::string> durable;
    for (Writer& writer : writers) {
      // finish() kills only what is still running; wait for a normal exit first.
      int status = 0;
      REQUIRE(waitpid(writer.pid, &status, 0) == writer.pid);
      writer.pid = -1;
      writer.finish();
      INFO("writer stderr: " << read_file(dir / "writer.stderr"));
      REQUIRE(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
      collect_durable(writer.output, durable);
    }
    auto store = open_sqlite_store(db);
    REQUIRE(store);
    auto report = (*store)->verify_chain();
    REQUIRE(report);
    CHECK(report->intact());
    CHECK(report->event_count == static_cast<std::int64_t>(durable.size()));
  }
}
