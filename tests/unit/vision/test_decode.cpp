// decode(): the facade's contract on inputs that are not images, and on images that are.
#include <pickverify/decode.hpp>

#include <catch2/catch.hpp>

#include <vector>

using pickverify::decode;
using pickverify::FrameView;
using pickverify::PixelFormat;

TEST_CASE("decode refuses a frame without pixels", "[decode]")
{
  FrameView frame;
  frame.width = 640;
  frame.height = 480;
  frame.stride = 640;
  const auto result = decode(frame);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().type == pickverify::ErrorType::invalid_input);
}
