// `pickverify serve`: the configured station(s) in a browser and over the HTTP API
// (docs/SERVICE.md). With no configuration: the embedded default — SQLite in the data folder, the
// demo catalog and orders, one station, and the demo's virtual camera (demo/camera/<order id>).
#include "serve.hpp"

#include <atomic>
#include <csignal>
#include <thread>

#include <fmt/format.h>

#include <pickverify/server.hpp>
#include <pickverify/station.hpp>

#include "image_check_provider.hpp"
#include "importer.hpp"
#include "station_scanners.hpp"

namespace pickverify::app {

namespace {

std::atomic<bool> g_stop{false};

int fail_with(const Context& context, const Error& error)
{
  *context.err << "pickverify: " << error.message << "\n";
  return error.type == ErrorType::invalid_input ? 2 : 1;
}

// The demo's virtual camera: a folder of photos per order, as `pickverify demo` uses.
std::function<Result<ImageCheckResult>(const ImageCheckRequest&)> demo_camera(const Context& context, Station& station)
{
  return [&context, &station](const ImageCheckRequest& request) -> Result<ImageCheckResult> {
    const PackSession* session = station.session();
    const auto folder = demo_dir() / "camera" / (session ? session->order().id : std::string("none"));
    if (!std::filesystem::is_directory(folder)) {
      ImageCheckResult offline;
      offline.reason = fmt::format("the demo camera has no photos for this order ({})", folder.string());
      return offline;
    }
    return make_camera_provider(context, folder.string(), station.id()).run(request);
  };
}

} // namespace

int cmd_serve(const Context& context, const ServeOptions& options)
{
  auto& out = *context.out;
  auto listen = server::parse_listen(options.listen);
  if (!listen) {
    return fail_with(context, listen.error());
  }
  auto store = open_store(context, true);
  if (!store) {
    return fail_with(context, store.error());
  }
  auto catalog = (*store)->load_catalog();
  if (!catalog) {
    return fail_with(context, catalog.error());
  }
  std::vector<std::string> ids = options.stations;
  if (ids.empty()) {
    ids.push_back(context.config.station_id);
  }
  std::vector<std::unique_ptr<Station>> stations;
  std::vector<server::StationBinding> bindings;
  const bool embedded_default = context.config.source_file.empty() && context.config.camera.source.empty();
  for (const auto& id : ids) {
    auto station = std::make_unique<Station>(id, **store, *catalog, context.config.policy);
    station->set_operator(context.config.operator_id);
    server::StationBinding binding;
    binding.station = station.get();
    if (embedded_default) {
      binding.image_check = demo_camera(context, *station);
    } else if (id == context.config.station_id) {
      binding.image_check = make_image_check_provider(context).run;
    }
    bindings.push_back(std::move(binding));
    stations.push_back(std::move(station));
  }
  // The configured station's USB and serial scanners feed it exactly as in `run`.
  auto scanners = StationScanners::start(context, *stations.front(), [&](const Result<StationReply>& reply) {
    if (!reply) {
      *context.err << "scanner: " << reply.error().message << "\n";
    }
  });
  if (!scanners) {
    return fail_with(context, scanners.error());
  }
  auto users = server::open_local_users(context.data_dir);
  if (!users) {
    return fail_with(context, users.error());
  }
  server::ServiceOptions service_options;
  service_options.host = listen->first;
  service_options.port = listen->second;
  service_options.data_dir = context.data_dir;
  service_options.parse_orders = [](std::string_view json, const Catalog& known) {
    return import_orders(json, FileFormat::json, "request body", known);
  };
  auto service = server::Service::start(std::move(service_options), **store, std::move(bindings), std::move(*users));
  if (!service) {
    return fail_with(context, service.error());
  }
  const std::string host = listen->first.find(':') != std::string::npos ? "[" + listen->first + "]" : listen->first;
  const std::string base = fmt::format("http://{}:{}", host, (*service)->port());
  out << fmt::format("pickverify {} — serving {} station(s), data {}\n", PICKVERIFY_VERSION, ids.size(),
                     context.data_dir.string());
  out << (context.config.source_file.empty() ? std::string("configuration: defaults (demo users, demo camera)\n")
                                             : fmt::format("configuration: {}\n", context.config.source_file.string()));
  if (*scanners) {
    out << (*scanners)->describe() << "\n";
  }
  out << fmt::format("open in a browser:\n  station screen  {}/station/{}\n  supervisor      {}/supervisor\n"
                     "  QA              {}/qa\n  API             {}/api/v1/openapi.json\n",
                     base, ids.front(), base, base, base);
  out << fmt::format("users: {}/users.json (demo PINs in docs/SERVICE.md); Ctrl-C stops\n", context.data_dir.string());
  out.flush();

  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*service)->stop();
  out << "stopped\n";
  return 0;
}

int cmd_token_create(const Context& context, const std::string& name, const std::string& role,
                     const std::string& station)
{
  auto parsed = server::parse_service_role(role);
  if (!parsed) {
    return fail_with(context, parsed.error());
  }
  auto token = server::create_api_token(context.data_dir, name, *parsed, station);
  if (!token) {
    return fail_with(context, token.error());
  }
  *context.out << *token << "\n";
  *context.err << fmt::format("token \"{}\" for role {}{} stored (hashed) in {}/api-tokens.json; it is shown only "
                              "now. Send it as 'Authorization: Bearer TOKEN'. serve reads tokens at start.\n",
                              name, role, station.empty() ? "" : " at station " + station, context.data_dir.string());
  return 0;
}

} // namespace pickverify::app
