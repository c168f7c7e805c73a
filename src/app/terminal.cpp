#include "terminal.hpp"

#include <ostream>

#include <fmt/format.h>

namespace pickverify::app {

namespace {
constexpr const char* k_green = "\033[1;32m";
constexpr const char* k_yellow = "\033[1;33m";
constexpr const char* k_red = "\033[1;31m";
} // namespace

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
  m_out << paint(std::string(mark) + reply.headline, colour);
  if (reply.tone == StationReply::Tone::error && m_interactive) {
    m_out << '\a';
  }
  m_out << fmt::format("  [{}{}]\n", to_string(reply.state),
                       reply.journal_seq ? fmt::format(", journal #{}", reply.journal_seq) : "");
  for (const auto& detail : reply.details) {
    m_out << "   " << detail << "\n";
  }
  m_out.flush();
}

void Terminal::show_error(const std::string& message)
{
  m_out << paint("XX " + message, k_red) << "\n";
  m_out.flush();
}

void Terminal::show_status(const Station& station)
{
  const PackSession* session = station.session();
  if (!session) {
    m_out << "No order open: scan an order barcode.\n";
    return;
  }
  m_out << fmt::format("Order {} ({}) — {}{}\n", session->order().id, format_money(session->order().value),
                       to_string(session->state()), session->needs_image_check() ? ", image check required" : "");
  for (const auto& line : describe_progress(*session)) {
    m_out << "   " << line << "\n";
  }
  for (const Alert* alert : session->open_alerts()) {
    m_out << fmt::format("   alert {}: {}\n", alert->id, alert->message);
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
