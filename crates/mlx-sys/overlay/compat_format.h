/* Force-included into every mlx-c translation unit. mlx-c formats a handful
 * of I/O error messages with std::format, which gcc 12's libstdc++ lacks.
 * Where <format> is missing, provide a minimal "{}"-substitution fallback. */
#pragma once
#ifdef __cplusplus
#if __has_include(<format>)
#include <format>
#endif
#include <version>
#if !defined(__cpp_lib_format)
#include <sstream>
#include <string>
#include <string_view>
namespace std {
namespace punie_compat {
inline void format_to(std::ostringstream& out, std::string_view fmt) { out << fmt; }
template <class T, class... Rest>
void format_to(std::ostringstream& out, std::string_view fmt, const T& v, const Rest&... rest) {
  auto at = fmt.find("{}");
  if (at == std::string_view::npos) { out << fmt; return; }
  out << fmt.substr(0, at) << v;
  format_to(out, fmt.substr(at + 2), rest...);
}
} // namespace punie_compat
template <class... Args>
std::string format(std::string_view fmt, const Args&... args) {
  std::ostringstream out;
  punie_compat::format_to(out, fmt, args...);
  return out.str();
}
} // namespace std
#endif
#endif
