// Helpers of the logs tests: the shared temporary directory, and reading files back.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "test/support/temp_dir.h"

using nodeagent::testing::TempDir;  // the shared ones (test/support/temp_dir.h)
using nodeagent::testing::slurp;

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}
