#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tensor/error.hpp"

// Runs `body` and checks that it throws mt::Error with `code` and a message that contains
// every string in `parts`.
template <class Body>
void expect_error(Body&& body, mt::ErrorCode code, const std::vector<std::string>& parts = {}) {
  try {
    body();
    ADD_FAILURE() << "no error thrown";
  } catch (const mt::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const auto& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "message '" << e.what() << "' lacks '" << part << "'";
  }
}
