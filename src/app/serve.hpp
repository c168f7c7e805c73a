// `pickverify serve` and `pickverify token create` (docs/SERVICE.md).
#pragma once

#include <string>
#include <vector>

#include "commands.hpp"

namespace pickverify::app {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> stations; // empty: the configured station
};

int cmd_serve(const Context& context, const ServeOptions& options);
int cmd_token_create(const Context& context, const std::string& name, const std::string& role,
                     const std::string& station);

} // namespace pickverify::app
