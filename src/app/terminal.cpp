#include "terminal.hpp"

#include <ostream>

#include <fmt/format.h>

#include "utf8.hpp"

namespace pickverify::app {

namespace {
constexpr const char* k_green = "\033[1;32m";
constexpr const char* k_yellow = "\033[1;33m";
constexpr const char* k_red = "\033[1;31m";
// Length of the valid multi-byte UTF-8 sequence at text[pos] that is safe to show, 0 when it is not
// one (ASCII, invalid sequences and the code points below are escaped by the caller).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos)
{
  const auto sequence = utf8_sequence_at(text, pos);
  if (!sequence || sequence->length < 2) {
    return 0;
  }
  const char32_t value = sequence->value;
  // C1 controls (U+0080–U+009F) act like ESC sequences on many terminals; bidirectional overrides
  // and isolates (U+202A–U+202E, U+2066–U+2069) can make a line read differently from its bytes.
  if ((value >= 0x80 && value <= 0x9f) || (value >= 0x202a && value <= 0x202e) ||
      (value >= 0x2066 && value <= 0x2069)) {
    return 0;
  }
  return sequence->length;
}

} // namespace

std::string terminal_safe(std::string_view text)
{
  std::string safe;
  safe.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c == '\\') {
      safe += "\\\\";
      ++pos;
    } else if (c >= 0x20 && c < 0x7f) {
      safe.push_back(static_cast<char>(c));
      ++pos;
    } else if (const std::size_t length = c >= 0x80 ? utf8_sequence_length(text, pos) : 0; length > 0) {
      safe.append(text.substr(pos, length));
      pos += length;
    } else {
      safe += fmt::format("\\x{:02X}", c);
      ++pos;
    }
  }
  return safe;
}

std::string Terminal::paint(const std::string& text, const char* colour) const
{
  return m_interactive ? fmt::format("{}{}\033[0m", colour, text) : text;
}

void Terminal::show(const StationReply& reply)
{
  const char* colour = reply.tone == StationReply::Tone::ok        ? k_green
                       : reply.tone == StationReply::Tone::warning ? k_yellow
                                                                   : k_red;
  const char* mark = reply.tone == StationReply::Tone::ok        ? "OK "
                     : reply.tone == StationReply::Tone::warning ? "!! "
                                                                 : "XX ";
  m_out << paint(std::string(mark) + terminal_safe(reply.headline), colour);
  if (reply.tone == StationReply::Tone::error && m_interactive) {
    m_out << '\a';
  }
  m_out << fmt::format("  [{}{}]\n", to_string(reply.state),
                       reply.journal_seq ? fmt::format(", journal #{}", reply.journal_seq) : "");
  for (const auto& detail : reply.details) {
    m_out << "   " << terminal_safe(detail) << "\n";
  }
  m_out.flush();
}

void Terminal::show_error(const std::string& message)
{
  m_out << paint("XX " + terminal_safe(message), k_red) << "\n";
  m_out.flush();
}

void Terminal::show_status(const Station& station)
{
  const PackSession* session = station.session();
  if (!session) {
    m_out << "No order open: scan an order barcode.\n";
    return;
  }
  m_out << fmt::format("Order {} ({}) — {}{}\n", terminal_safe(session->order().id),
                       format_money(session->order().value), to_string(session->state()),
                       session->needs_image_check() ? ", image check required" : "");
  for (const auto& line : describe_progress(*session)) {
    m_out << "   " << terminal_safe(line) << "\n";
  }
  for (const Alert* alert : session->open_alerts()) {
    m_out << fmt::format("   alert {}: {}\n", alert->id, terminal_safe(alert->message));
  }
}

void Terminal::prompt(const std::string& state)
{
  if (m_interactive) {
    m_out << fmt::format("[{}] scan> ", state);
    m_out.flush();
  }
}

} // namespace pickverify::app
