#include "http.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pickverify::server {

namespace {

std::vector<std::string> split_path(const std::string& path)
{
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = path.find('/', start);
    parts.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return parts;
}

} // namespace

std::string Request::header(const std::string& name) const
{
  const auto found = headers.find(name);
  return found == headers.end() ? std::string{} : found->second;
}

std::string Request::cookie(const std::string& name) const
{
  const std::string all = header("cookie");
  std::size_t at = 0;
  while (at < all.size()) {
    const std::size_t end = std::min(all.find(';', at), all.size());
    std::string pair = all.substr(at, end - at);
    pair.erase(0, pair.find_first_not_of(' '));
    const std::size_t equals = pair.find('=');
    if (equals != std::string::npos && pair.substr(0, equals) == name) {
      return pair.substr(equals + 1);
    }
    at = end + 1;
  }
  return {};
}

Response json_response(int status, const std::string& json_body)
{
  Response response;
  response.status = status;
  response.body = json_body;
  return response;
}

Response error_response(int status, const std::string& message)
{
  return json_response(status, nlohmann::json{{"error", message}, {"status", status}}.dump());
}

std::string format_sse(const std::string& event_name, const std::string& data)
{
  std::string out = "event: " + event_name + "\n";
  std::size_t at = 0;
  while (true) {
    const std::size_t end = data.find('\n', at);
    out += "data: " + data.substr(at, end == std::string::npos ? std::string::npos : end - at) + "\n";
    if (end == std::string::npos) {
      break;
    }
    at = end + 1;
  }
  return out + "\n";
}

void EventHub::subscribe(const std::string& topic, std::shared_ptr<EventSink> sink)
{
  std::lock_guard lock(m_mutex);
  auto& sinks = m_topics[topic];
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(), [](const auto& s) { return s->closed(); }), sinks.end());
  sinks.push_back(std::move(sink));
}

void EventHub::publish(const std::string& topic, const std::string& event_name, const std::string& data)
{
  auto event = std::make_shared<const std::string>(format_sse(event_name, data));
  std::vector<std::shared_ptr<EventSink>> sinks;
  {
    std::lock_guard lock(m_mutex);
    auto found = m_topics.find(topic);
    if (found == m_topics.end()) {
      return;
    }
    auto& list = found->second;
    list.erase(std::remove_if(list.begin(), list.end(), [](const auto& s) { return s->closed(); }), list.end());
    sinks = list;
  }
  for (auto& sink : sinks) {
    sink->send(event);
  }
}

std::size_t EventHub::open_streams() const
{
  std::lock_guard lock(m_mutex);
  std::size_t count = 0;
  for (const auto& [topic, sinks] : m_topics) {
    count +=
        static_cast<std::size_t>(std::count_if(sinks.begin(), sinks.end(), [](const auto& s) { return !s->closed(); }));
  }
  return count;
}

void EventHub::close_all()
{
  std::lock_guard lock(m_mutex);
  m_topics.clear();
}

void Router::add(Route route)
{
  m_routes.push_back(std::move(route));
}

const Route* Router::match(Request& request, int& status_if_none) const
{
  const auto parts = split_path(request.path);
  bool path_matched = false;
  for (const auto& route : m_routes) {
    const auto pattern = split_path(route.pattern);
    if (pattern.size() != parts.size()) {
      continue;
    }
    std::vector<std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      if (pattern[i].size() > 2 && pattern[i].front() == '{' && pattern[i].back() == '}') {
        ok = !parts[i].empty();
        params.push_back(parts[i]);
      } else {
        ok = pattern[i] == parts[i];
      }
    }
    if (!ok) {
      continue;
    }
    path_matched = true;
    if (route.method == request.method || (route.method == "GET" && request.method == "HEAD")) {
      request.params = std::move(params);
      return &route;
    }
  }
  status_if_none = path_matched ? 405 : 404;
  return nullptr;
}

} // namespace pickverify::server
