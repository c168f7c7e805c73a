#include <pickverify/expected.hpp>
#include <pickverify/order.hpp>

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace pickverify {

namespace {

std::string join_names(const std::vector<std::string>& names)
{
  std::string text;
  for (const auto& name : names) {
    text += (text.empty() ? "" : ", ") + name;
  }
  return text;
}

// A kit line: one line per part, its quantity times the kit's. A style part's attributes are the
// kit's fixed ones plus the ones it takes from the order line, which must give exactly those.
Result<std::vector<ExpectedLine>> expand_kit_line(const Order& order, const OrderLine& line, const Kit& kit,
                                                  const Catalog& catalog)
{
  const auto from_order = kit_order_attributes(kit);
  if (!from_order.empty()) {
    for (const auto& name : from_order) {
      if (!line.required_attributes.count(name)) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("order {} line {}: kit {} takes {} from the order line; the line gives no {}",
                                      order.id, line.line_no, kit.sku, join_names(from_order), name));
      }
    }
    for (const auto& [name, value] : line.required_attributes) {
      if (!std::binary_search(from_order.begin(), from_order.end(), name)) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("order {} line {}: kit {} takes no {} from the order line (it takes {})",
                                      order.id, line.line_no, kit.sku, name, join_names(from_order)));
      }
    }
  }
  // A kit that takes nothing from the order ignores the line's attributes, as any SKU line does.
  std::vector<ExpectedLine> parts;
  for (const auto& component : kit.components) {
    ExpectedLine expected;
    expected.line_no = line.line_no;
    expected.kit_sku = kit.sku;
    expected.quantity = component.quantity * line.quantity;
    if (!component.sku.empty()) {
      const Item* item = catalog.find_item(component.sku);
      expected.sku = component.sku;
      expected.style = item ? item->style : std::string{};
      expected.description = fmt::format("{} (kit {})", item ? item->description : component.sku, kit.sku);
      parts.push_back(std::move(expected));
      continue;
    }
    expected.style = component.style;
    expected.required_attributes = component.fixed_attributes;
    for (const auto& name : component.from_order) {
      expected.required_attributes[name] = line.required_attributes.at(name);
    }
    std::vector<const Item*> fitting;
    for (const Item* item : catalog.items_of_style(component.style)) {
      if (attributes_satisfy(item->attributes, expected.required_attributes)) {
        fitting.push_back(item);
      }
    }
    if (fitting.empty()) {
      return make_error(ErrorType::not_found,
                        fmt::format("order {} line {}: kit {}: no item of style {} has {}", order.id, line.line_no,
                                    kit.sku, component.style, describe_attributes(expected.required_attributes)));
    }
    // One item fits: the picker reads its name; several (any colour): the style and what matters.
    expected.description = fitting.size() == 1 ? fmt::format("{} (kit {})", fitting.front()->description, kit.sku)
                           : expected.required_attributes.empty()
                               ? fmt::format("{} (kit {})", component.style, kit.sku)
                               : fmt::format("{} ({}) (kit {})", component.style,
                                             describe_attributes(expected.required_attributes), kit.sku);
    parts.push_back(std::move(expected));
  }
  return parts;
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
        PV_TRY_ASSIGN(auto parts, expand_kit_line(order, line, *kit, catalog));
        expanded.insert(expanded.end(), std::make_move_iterator(parts.begin()), std::make_move_iterator(parts.end()));
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
