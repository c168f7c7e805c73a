#pragma once
// Where the read-only files pickverify ships with are found: device profiles (devices/), the
// camera calibration fallback (calibration/) and the demo's photos (demo/).
#include <filesystem>

namespace pickverify {

// An installed program finds them beside itself: <prefix>/share/pickverify for
// <prefix>/bin/pickverify (the install layout `cmake --install` and the .deb make). A program run
// from its build tree (the README's commands, the tests) has no such folder and reads the source
// tree it was built from. Each folder's own environment variable (PICKVERIFY_DEVICES_DIR,
// PICKVERIFY_CALIBRATION_DIR, PICKVERIFY_DEMO_DIR) still wins where its user reads it.
std::filesystem::path shipped_data_dir();
// The same rule for a given executable path: the installed folder if it exists, else the source tree.
std::filesystem::path shipped_data_dir_for(const std::filesystem::path& executable);

} // namespace pickverify
