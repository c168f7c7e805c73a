// Whether a scan source is delivering: the state every driver reports to the station.
#pragma once

#include <string_view>

namespace pickverify {

enum class DeviceState { online, offline };
std::string_view to_string(DeviceState state);

} // namespace pickverify
