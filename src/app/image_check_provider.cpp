#include "image_check_provider.hpp"

#include "commands.hpp"

namespace pickverify::app {

ImageCheckProvider make_image_check_provider(const Context& context)
{
  ImageCheckProvider provider;
  provider.description = context.config.camera.source.empty()
                             ? "camera: none configured — high-value orders cannot be released (fail closed)"
                             : "camera: " + context.config.camera.source + " (this build has no camera support yet)";
  provider.run = [](const ImageCheckRequest&) -> Result<ImageCheckResult> {
    ImageCheckResult result;
    result.outcome = ImageCheckOutcome::offline;
    result.reason = "no camera available at this station: the pack stays blocked; call a supervisor";
    return result;
  };
  return provider;
}

} // namespace pickverify::app
