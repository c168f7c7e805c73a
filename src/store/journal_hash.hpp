// Helpers shared by the journal's writers and readers inside src/store.
#pragma once

#include <string>
#include <string_view>

namespace pickverify::store {

// Initialises libsodium once; false when the library cannot be used.
bool sodium_ready();

} // namespace pickverify::store
