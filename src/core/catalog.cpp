#include <pickverify/catalog.hpp>

#include <pickverify/codes.hpp>

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace pickverify {

std::string describe_attributes(const Attributes& attributes)
{
  std::string text;
  for (const auto& [name, value] : attributes) {
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", name, value);
  }
  return text;
}

bool attributes_satisfy(const Attributes& have, const Attributes& need)
{
  return std::all_of(need.begin(), need.end(), [&](const auto& wanted) {
    auto it = have.find(wanted.first);
    return it != have.end() && it->second == wanted.second;
  });
}

std::string describe_pack(const Pack& pack)
{
  return fmt::format("{} {} of {}", pack.level == "inner" ? "an" : "a", pack.level == "inner" ? "inner pack" : "case",
                     pack.quantity);
}

Result<void> Catalog::add_item(Item item)
{
  if (item.sku.empty()) {
    return make_error(ErrorType::invalid_input, "item without a SKU");
  }
  if (m_by_sku.count(item.sku) || m_kit_by_sku.count(item.sku)) {
    return make_error(ErrorType::invalid_input, fmt::format("SKU {} is defined twice", item.sku));
  }
  if (item.style.empty()) {
    item.style = item.sku; // an item without variants is a style of its own
  }
  for (auto& gtin : item.gtins) {
    auto normalized = normalize_gtin(gtin);
    if (!normalized) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("item {}: GTIN {}: {}", item.sku, gtin, normalized.error().message));
    }
    gtin = *normalized;
    if (auto existing = m_by_gtin.find(gtin); existing != m_by_gtin.end()) {
      return make_error(ErrorType::invalid_input, fmt::format("GTIN {} belongs to both {} and {}", gtin,
                                                              m_items[existing->second.item].sku, item.sku));
    }
  }
  std::set<std::string> own_gtins(item.gtins.begin(), item.gtins.end());
  if (own_gtins.size() != item.gtins.size()) {
    return make_error(ErrorType::invalid_input, fmt::format("item {}: a GTIN is listed twice", item.sku));
  }
  for (auto& pack : item.packs) {
    if (pack.level != "inner" && pack.level != "case") {
      return make_error(ErrorType::invalid_input,
                        fmt::format("item {}: packaging level '{}' is neither inner nor case", item.sku, pack.level));
    }
    if (pack.quantity < 2 || pack.quantity > k_max_pack_quantity) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("item {}: {} GTIN {} needs a quantity from 2 to {} (eaches inside)", item.sku,
                                    pack.level, pack.gtin, k_max_pack_quantity));
    }
    auto normalized = normalize_gtin(pack.gtin);
    if (!normalized) {
      return make_error(ErrorType::invalid_input, fmt::format("item {}: {} GTIN {}: {}", item.sku, pack.level,
                                                              pack.gtin, normalized.error().message));
    }
    pack.gtin = *normalized;
    if (auto existing = m_by_gtin.find(pack.gtin); existing != m_by_gtin.end()) {
      return make_error(ErrorType::invalid_input, fmt::format("GTIN {} belongs to both {} and {}", pack.gtin,
                                                              m_items[existing->second.item].sku, item.sku));
    }
    if (!own_gtins.insert(pack.gtin).second) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("item {}: GTIN {} names two packaging levels", item.sku, pack.gtin));
    }
  }
  if (item.weight_g < 0 || item.unit_value.minor < 0) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("item {}: weight and value must not be negative", item.sku));
  }
  const std::size_t index = m_items.size();
  for (const auto& gtin : item.gtins) {
    m_by_gtin.emplace(gtin, GtinRef{index, std::nullopt});
  }
  for (std::size_t p = 0; p < item.packs.size(); ++p) {
    m_by_gtin.emplace(item.packs[p].gtin, GtinRef{index, p});
  }
  m_by_sku.emplace(item.sku, index);
  m_items.push_back(std::move(item));
  return {};
}

std::vector<std::string> kit_order_attributes(const Kit& kit)
{
  std::set<std::string> names;
  for (const auto& component : kit.components) {
    names.insert(component.from_order.begin(), component.from_order.end());
  }
  return {names.begin(), names.end()};
}

// A style part must be fillable: its style exists, some item of it has the fixed attributes, and
// every attribute the order is to give is one its items have.
Result<void> Catalog::check_style_part(const Kit& kit, const KitComponent& part) const
{
  const auto variants = items_of_style(part.style);
  if (variants.empty()) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("kit {}: style {} is not in the catalog", kit.sku, part.style));
  }
  const bool fixed_exists = std::any_of(variants.begin(), variants.end(), [&](const Item* item) {
    return std::all_of(part.fixed_attributes.begin(), part.fixed_attributes.end(), [&](const auto& wanted) {
      auto it = item->attributes.find(wanted.first);
      return it != item->attributes.end() && it->second == wanted.second;
    });
  });
  if (!fixed_exists) {
    return make_error(ErrorType::invalid_input, fmt::format("kit {}: no item of style {} has {}", kit.sku, part.style,
                                                            describe_attributes(part.fixed_attributes)));
  }
  std::set<std::string> seen;
  for (const auto& name : part.from_order) {
    if (name.empty()) {
      return make_error(
          ErrorType::invalid_input,
          fmt::format("kit {}: style {} takes an attribute without a name from the order", kit.sku, part.style));
    }
    if (!seen.insert(name).second) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: style {} takes {} from the order twice", kit.sku, part.style, name));
    }
    if (part.fixed_attributes.count(name)) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: style {}: {} is fixed by the kit and taken from the order; it can "
                                    "only be one",
                                    kit.sku, part.style, name));
    }
    const bool known = std::any_of(variants.begin(), variants.end(),
                                   [&](const Item* item) { return item->attributes.count(name) > 0; });
    if (!known) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: style {} takes {} from the order, but no item of style {} has a {}",
                                    kit.sku, part.style, name, part.style, name));
    }
  }
  return {};
}

Result<void> Catalog::add_kit(Kit kit)
{
  if (kit.sku.empty()) {
    return make_error(ErrorType::invalid_input, "kit without a SKU");
  }
  if (m_by_sku.count(kit.sku) || m_kit_by_sku.count(kit.sku)) {
    return make_error(ErrorType::invalid_input, fmt::format("SKU {} is defined twice", kit.sku));
  }
  if (kit.components.empty()) {
    return make_error(ErrorType::invalid_input, fmt::format("kit {} has no components", kit.sku));
  }
  for (auto& component : kit.components) {
    std::sort(component.from_order.begin(), component.from_order.end()); // one form, however it was given
  }
  for (const auto& component : kit.components) {
    const std::string name = component.sku.empty() ? "style " + component.style : component.sku;
    if (component.quantity < 1) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: component {} needs a quantity of at least 1", kit.sku, name));
    }
    if (!component.sku.empty() && !component.style.empty()) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: a component names both SKU {} and style {}; give one", kit.sku,
                                    component.sku, component.style));
    }
    if (component.sku.empty() && component.style.empty()) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: a component names neither a SKU nor a style", kit.sku));
    }
    if (!component.sku.empty()) {
      if (!find_item(component.sku)) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("kit {}: component {} is not in the catalog", kit.sku, component.sku));
      }
      if (!component.fixed_attributes.empty() || !component.from_order.empty()) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("kit {}: component {} is an exact item; attributes belong to a style part",
                                      kit.sku, component.sku));
      }
      continue;
    }
    if (auto checked = check_style_part(kit, component); !checked) {
      return checked;
    }
  }
  m_kit_by_sku.emplace(kit.sku, m_kits.size());
  m_kits.push_back(std::move(kit));
  return {};
}

const Item* Catalog::find_by_gtin(std::string_view gtin14) const
{
  return identify(gtin14).item;
}

Identified Catalog::identify(std::string_view gtin14) const
{
  auto it = m_by_gtin.find(std::string(gtin14));
  if (it == m_by_gtin.end()) {
    return {};
  }
  const Item& item = m_items[it->second.item];
  return Identified{&item, it->second.pack ? &item.packs[*it->second.pack] : nullptr};
}

const Item* Catalog::find_item(std::string_view sku) const
{
  auto it = m_by_sku.find(std::string(sku));
  return it == m_by_sku.end() ? nullptr : &m_items[it->second];
}

const Kit* Catalog::find_kit(std::string_view sku) const
{
  auto it = m_kit_by_sku.find(std::string(sku));
  return it == m_kit_by_sku.end() ? nullptr : &m_kits[it->second];
}

std::vector<const Item*> Catalog::items_of_style(std::string_view style) const
{
  std::vector<const Item*> found;
  for (const auto& item : m_items) {
    if (item.style == style) {
      found.push_back(&item);
    }
  }
  return found;
}

} // namespace pickverify
