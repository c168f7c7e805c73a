// Sanitizer settings the replay tests need, compiled in so CTest only has to set LD_PRELOAD:
// umockdev's preload library comes before the ASan runtime, and libusb 1.0.26 keeps 24 bytes per
// hot-unplugged, opened device (event-source bookkeeping from libusb_open) past libusb_exit.
extern "C" __attribute__((visibility("default"), used)) const char* __asan_default_options()
{
  return "verify_asan_link_order=0";
}

extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_suppressions()
{
  return "leak:libusb-1.0.so\n";
}
