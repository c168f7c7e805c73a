#include "cli.hpp"

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"

namespace pickverify::app {

int run_cli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err, bool interactive)
{
  CLI::App app{"pickverify — verifies every item of an order at the pack station and refuses the pack while anything "
               "is wrong or missing.",
               "pickverify"};
  app.set_version_flag("--version", std::string(PICKVERIFY_VERSION));
  app.require_subcommand(1);
  app.fallthrough();

  std::string data_dir;
  std::string config_file;
  std::string station_override;
  std::string operator_override;
  app.add_option("--data-dir", data_dir,
                 "folder for pickverify.db and evidence (default: $PICKVERIFY_DATA_DIR, else ~/.local/share/pickverify)");
  app.add_option("--config", config_file, "configuration file (TOML, see docs/CONFIGURATION.md)")->check(CLI::ExistingFile);
  app.add_option("--station", station_override, "station id (overrides the configuration)");
  app.add_option("--operator", operator_override, "operator id (overrides the configuration)");

  auto* run = app.add_subcommand("run", "a pack station in this terminal: scan an order, scan its items, pack");
  auto* demo = app.add_subcommand("demo", "replay the ORD-2025-00145 incident on the demo data and check every step");

  auto* import = app.add_subcommand("import", "import a catalog or orders file (CSV or JSON): all of it or nothing");
  import->require_subcommand(1);
  std::string import_file;
  std::string import_format;
  auto* import_catalog = import->add_subcommand("catalog", "items (GTINs, style, attributes) and kits");
  auto* import_orders = import->add_subcommand("orders", "orders with their lines");
  for (auto* sub : {import_catalog, import_orders}) {
    sub->add_option("FILE", import_file, "the file (.csv or .json; see docs/FORMATS.md)")->required();
    sub->add_option("--format", import_format, "csv or json (default: from the extension)")
        ->check(CLI::IsMember({"csv", "json"}));
  }

  auto* audit = app.add_subcommand("audit", "the verification journal: verify its hash chain, export it");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "recompute the hash chain; exit 0 when intact, 3 when broken");
  auto* audit_export = audit->add_subcommand("export", "write journal rows as CSV or JSON Lines");
  ExportOptions export_options;
  audit_export->add_option("--format", export_options.format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  audit_export->add_option("--from", export_options.from, "from this UTC time (2025-11-26 or 2025-11-26T10:00:00Z), inclusive");
  audit_export->add_option("--to", export_options.to, "up to this UTC time, exclusive");
  audit_export->add_option("--order", export_options.order, "only this order");
  audit_export->add_option("--station", export_options.station, "only this station");
  audit_export->add_option("--output,-o", export_options.output, "write to this file instead of standard output");

  auto* orders = app.add_subcommand("orders", "the stored orders");
  orders->require_subcommand(1);
  auto* orders_list = orders->add_subcommand("list", "every stored order with its value and lines");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error, out, err);
  }

  Context context;
  context.out = &out;
  context.err = &err;
  if (!config_file.empty()) {
    auto config = load_config(config_file);
    if (!config) {
      err << "pickverify: " << config.error().message << "\n";
      return 2;
    }
    context.config = std::move(*config);
  }
  if (!station_override.empty()) context.config.station_id = station_override;
  if (!operator_override.empty()) context.config.operator_id = operator_override;
  context.data_dir = !data_dir.empty() ? std::filesystem::path(data_dir)
                     : context.config.data_dir ? *context.config.data_dir
                                               : default_data_dir();

  if (*run) return cmd_run(context, in, interactive);
  if (*demo) return cmd_demo(context);
  if (*import_catalog) return cmd_import(context, ImportKind::catalog, import_file, import_format);
  if (*import_orders) return cmd_import(context, ImportKind::orders, import_file, import_format);
  if (*audit_verify) return cmd_audit_verify(context);
  if (*audit_export) return cmd_audit_export(context, export_options);
  if (*orders_list) return cmd_orders_list(context);
  err << app.help();
  return 2;
}

} // namespace pickverify::app
