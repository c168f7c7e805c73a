#include <pickverify/order.hpp>

#include <fmt/format.h>

namespace pickverify {

namespace {

std::string describe_attributes(const Attributes& attributes)
{
  std::string text;
  for (const auto& [name, value] : attributes) {
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", name, value);
  }
  return text;
}

} // namespace

Result<std::vector<ExpectedLine>> expand_order(const Order& order, const Catalog& catalog)
{
  std::vector<ExpectedLine> expanded;
  if (order.lines.empty()) {
    return make_error(ErrorType::invalid_input, fmt::format("order {} has no lines", order.id));
  }
  for (const auto& line : order.lines) {
    if (line.quantity < 1) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("order {} line {}: quantity must be at least 1", order.id, line.line_no));
    }
    if (!line.sku.empty()) {
      if (const Kit* kit = catalog.find_kit(line.sku)) {
        for (const auto& component : kit->components) {
          const Item* item = catalog.find_item(component.sku);
          ExpectedLine expected;
          expected.line_no = line.line_no;
          expected.kit_sku = kit->sku;
          expected.sku = component.sku;
          expected.style = item ? item->style : std::string{};
          expected.quantity = component.quantity * line.quantity;
          expected.description = fmt::format("{} (kit {})", item ? item->description : component.sku, kit->sku);
          expanded.push_back(std::move(expected));
        }
        continue;
      }
      const Item* item = catalog.find_item(line.sku);
      if (!item) {
        return make_error(ErrorType::not_found, fmt::format("order {} line {}: SKU {} is not in the catalog", order.id,
                                                            line.line_no, line.sku));
      }
      ExpectedLine expected;
      expected.line_no = line.line_no;
      expected.sku = item->sku;
      expected.style = item->style;
      expected.quantity = line.quantity;
      expected.description = line.description.empty() ? item->description : line.description;
      expanded.push_back(std::move(expected));
      continue;
    }
    if (line.style.empty()) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("order {} line {}: names neither a SKU nor a style", order.id, line.line_no));
    }
    const auto variants = catalog.items_of_style(line.style);
    if (variants.empty()) {
      return make_error(ErrorType::not_found, fmt::format("order {} line {}: style {} is not in the catalog", order.id,
                                                          line.line_no, line.style));
    }
    bool any_matches = false;
    for (const Item* item : variants) {
      bool matches = true;
      for (const auto& [name, value] : line.required_attributes) {
        auto it = item->attributes.find(name);
        matches = matches && it != item->attributes.end() && it->second == value;
      }
      any_matches = any_matches || matches;
    }
    if (!any_matches) {
      return make_error(ErrorType::not_found,
                        fmt::format("order {} line {}: no item of style {} has {}", order.id, line.line_no, line.style,
                                    describe_attributes(line.required_attributes)));
    }
    ExpectedLine expected;
    expected.line_no = line.line_no;
    expected.style = line.style;
    expected.required_attributes = line.required_attributes;
    expected.quantity = line.quantity;
    expected.description = line.description.empty()
                               ? fmt::format("{} ({})", line.style, describe_attributes(line.required_attributes))
                               : line.description;
    expanded.push_back(std::move(expected));
  }
  return expanded;
}

} // namespace pickverify
