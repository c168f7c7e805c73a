// `pickverify devices list` and `devices watch`: the scanners a bench has, and their scans live.
#pragma once

#include <atomic>
#include <filesystem>
#include <iosfwd>

namespace pickverify::app {

// Lists each attached USB device it recognises (profile, mode, state) and then the unrecognised
// ones. Returns a process exit code (0 ok, 1 error: message written to `out`).
int devices_list(std::ostream& out, const std::filesystem::path& profiles_dir);
// Claims every recognised scanner and prints each scan and state change live until `stop`.
int devices_watch(std::ostream& out, const std::filesystem::path& profiles_dir, std::atomic<bool>& stop);

} // namespace pickverify::app
