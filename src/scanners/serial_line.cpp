// Opening a tty raw (termios): speed, data bits, parity and stop bits from SerialSettings, reads that
// return as soon as one byte is there, and no byte from before the open.
#include <pickverify/serial_line.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

namespace pickverify {

namespace {

speed_t speed_of(int baud)
{
  switch (baud) {
  case 1200:
    return B1200;
  case 2400:
    return B2400;
  case 4800:
    return B4800;
  case 9600:
    return B9600;
  case 19200:
    return B19200;
  case 38400:
    return B38400;
  case 57600:
    return B57600;
  case 115200:
    return B115200;
  case 230400:
    return B230400;
  default:
    return B0;
  }
}

} // namespace

bool is_standard_baud(int baud)
{
  return speed_of(baud) != B0;
}

Result<int> open_serial_line(const std::filesystem::path& tty, const SerialSettings& line)
{
  const speed_t speed = speed_of(line.baud);
  if (speed == B0) {
    return make_error(ErrorType::invalid_input, fmt::format("unsupported speed {} baud", line.baud));
  }
  const int fd = ::open(tty.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return make_error(errno == ENOENT ? ErrorType::device_offline : ErrorType::io, std::strerror(errno));
  }
  termios settings{};
  if (::tcgetattr(fd, &settings) != 0) {
    const int error = errno;
    ::close(fd);
    return make_error(ErrorType::io, fmt::format("not a terminal: {}", std::strerror(error)));
  }
  ::cfmakeraw(&settings);
  ::cfsetispeed(&settings, speed);
  ::cfsetospeed(&settings, speed);
  settings.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  settings.c_cflag |= (line.data_bits == 7 ? CS7 : CS8) | CLOCAL | CREAD;
  if (line.parity != Parity::none) {
    settings.c_cflag |= PARENB | (line.parity == Parity::odd ? PARODD : 0);
  }
  if (line.stop_bits == 2) {
    settings.c_cflag |= CSTOPB;
  }
  settings.c_cc[VMIN] = 1;
  settings.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSANOW, &settings) != 0) {
    const int error = errno;
    ::close(fd);
    return make_error(ErrorType::io, fmt::format("cannot configure: {}", std::strerror(error)));
  }
  ::tcflush(fd, TCIFLUSH); // bytes from before we opened belong to nobody's read
  return fd;
}

} // namespace pickverify
