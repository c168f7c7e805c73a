// The demo catalog and orders (demo/*.json), compiled in.
#pragma once

namespace pickverify::app {

const char* demo_catalog_json();
const char* demo_orders_json();

} // namespace pickverify::app
