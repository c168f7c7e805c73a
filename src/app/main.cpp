// pickverify — stops wrong orders from leaving the warehouse.
#include <cstdlib>
#include <exception>
#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli.hpp"

int main(int argc, char** argv)
{
  try {
    return pickverify::app::run_cli(argc, argv, std::cin, std::cout, std::cerr,
                                    isatty(STDIN_FILENO) && isatty(STDOUT_FILENO));
  } catch (const std::exception& error) {
    std::cerr << "pickverify: fatal: " << error.what() << "\n";
    return 1;
  }
}
