// Scale protocols, pure: the HID POS scale data report and MT-SICS response lines.
#include <pickverify/scale.hpp>

#include <vector>

#include <fmt/format.h>

namespace pickverify {

namespace {

constexpr std::uint8_t k_scale_report_id = 0x03;
constexpr std::size_t k_scale_report_size = 6;

std::vector<std::string_view> words_of(std::string_view line)
{
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ')
      ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ')
      ++i;
    if (i > start)
      words.push_back(line.substr(start, i - start));
  }
  return words;
}

} // namespace

std::string_view to_string(ScaleStatus status)
{
  switch (status) {
  case ScaleStatus::stable:
    return "stable";
  case ScaleStatus::zero:
    return "stable at zero";
  case ScaleStatus::in_motion:
    return "in motion";
  case ScaleStatus::under_zero:
    return "under zero";
  case ScaleStatus::overload:
    return "overload";
  case ScaleStatus::fault:
    return "fault";
  case ScaleStatus::needs_calibration:
    return "needs calibration";
  case ScaleStatus::needs_rezero:
    return "needs re-zeroing";
  }
  return "unknown";
}

std::string describe(const ScaleReading& reading)
{
  if (!reading.weight)
    return fmt::format("{}: not a reading", to_string(reading.status));
  return fmt::format("{} {} ({})", to_string(reading.status), reading.weight->grams_text(),
                     reading.weight->as_reported());
}

Result<ScaleReading> decode_hid_pos_scale_report(std::span<const std::uint8_t> r)
{
  if (r.size() != k_scale_report_size)
    return make_error(ErrorType::invalid_input,
                      fmt::format("scale report: {} bytes, expected {}", r.size(), k_scale_report_size));
  if (r[0] != k_scale_report_id)
    return make_error(ErrorType::invalid_input,
                      fmt::format("scale report: id 0x{:02x}, expected 0x{:02x}", r[0], k_scale_report_id));
  ScaleReading reading;
  reading.at = std::chrono::steady_clock::now();
  switch (r[1]) {
  case 1:
    reading.status = ScaleStatus::fault;
    break;
  case 2:
    reading.status = ScaleStatus::zero;
    break;
  case 3:
    reading.status = ScaleStatus::in_motion;
    break;
  case 4:
    reading.status = ScaleStatus::stable;
    break;
  case 5:
    reading.status = ScaleStatus::under_zero;
    break;
  case 6:
    reading.status = ScaleStatus::overload;
    break;
  case 7:
    reading.status = ScaleStatus::needs_calibration;
    break;
  case 8:
    reading.status = ScaleStatus::needs_rezero;
    break;
  default:
    return make_error(ErrorType::invalid_input, fmt::format("scale report: unknown status {}", r[1]));
  }
  WeightUnit unit = WeightUnit::g;
  switch (r[2]) {
  case 1:
    unit = WeightUnit::mg;
    break;
  case 2:
    unit = WeightUnit::g;
    break;
  case 3:
    unit = WeightUnit::kg;
    break;
  case 11:
    unit = WeightUnit::oz;
    break;
  case 12:
    unit = WeightUnit::lb;
    break;
  default:
    return make_error(ErrorType::invalid_input,
                      fmt::format("scale report: unit {} is not one of mg, g, kg, oz, lb (1, 2, 3, 11, 12)", r[2]));
  }
  const int exponent = static_cast<std::int8_t>(r[3]);
  const std::int64_t value = r[4] | (r[5] << 8);
  if (reading.status == ScaleStatus::stable || reading.status == ScaleStatus::zero) {
    auto weight = make_weight(reading.status == ScaleStatus::zero ? 0 : value, exponent, unit);
    if (!weight)
      return tl::unexpected(weight.error().with_context("scale report"));
    reading.weight = *weight;
  }
  return reading;
}

Result<ScaleReading> parse_mt_sics_line(std::string_view line)
{
  ScaleReading reading;
  reading.at = std::chrono::steady_clock::now();
  const auto words = words_of(line);
  if (words.empty())
    return make_error(ErrorType::invalid_input, "MT-SICS: empty line");
  if (words[0] == "ES")
    return make_error(ErrorType::io, "MT-SICS: the scale did not understand the command (ES syntax error)");
  if (words[0] == "ET")
    return make_error(ErrorType::io, "MT-SICS: the scale received garbled characters (ET transmission error)");
  if (words[0] == "EL")
    return make_error(ErrorType::io, "MT-SICS: the scale cannot execute the command (EL logical error)");
  if ((words[0] != "S" && words[0] != "SI") || words.size() < 2)
    return make_error(ErrorType::invalid_input, fmt::format("MT-SICS: '{}' is not a weight response", line));
  const auto status = words[1];
  if (status == "+" || status == "-" || status == "I") {
    if (words.size() != 2)
      return make_error(ErrorType::invalid_input, fmt::format("MT-SICS: '{}' has trailing data", line));
    if (status == "I")
      return make_error(ErrorType::io, "MT-SICS: the scale is busy (S I), try again");
    reading.status = status == "+" ? ScaleStatus::overload : ScaleStatus::under_zero;
    return reading;
  }
  if (status != "S" && status != "D")
    return make_error(ErrorType::invalid_input, fmt::format("MT-SICS: unknown status '{}' in '{}'", status, line));
  if (words.size() != 4)
    return make_error(ErrorType::invalid_input, fmt::format("MT-SICS: '{}' is not 'S <S|D> <value> <unit>'", line));
  auto weight = parse_weight(words[2], words[3]);
  if (!weight)
    return tl::unexpected(weight.error().with_context("MT-SICS"));
  if (status == "D") {
    reading.status = ScaleStatus::in_motion;
    return reading;
  }
  reading.status = weight->mantissa == 0 ? ScaleStatus::zero : ScaleStatus::stable;
  if (weight->mantissa < 0) {
    reading.status = ScaleStatus::under_zero;
    return reading;
  }
  reading.weight = *weight;
  return reading;
}

} // namespace pickverify
