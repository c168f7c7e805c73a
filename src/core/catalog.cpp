#include <pickverify/catalog.hpp>

#include <pickverify/codes.hpp>

#include <fmt/format.h>

namespace pickverify {

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
                                                              m_items[existing->second].sku, item.sku));
    }
  }
  if (item.weight_g < 0 || item.unit_value.minor < 0) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("item {}: weight and value must not be negative", item.sku));
  }
  const std::size_t index = m_items.size();
  for (const auto& gtin : item.gtins) {
    m_by_gtin.emplace(gtin, index);
  }
  m_by_sku.emplace(item.sku, index);
  m_items.push_back(std::move(item));
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
  for (const auto& component : kit.components) {
    if (!find_item(component.sku)) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: component {} is not in the catalog", kit.sku, component.sku));
    }
    if (component.quantity < 1) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("kit {}: component {} needs a quantity of at least 1", kit.sku, component.sku));
    }
  }
  m_kit_by_sku.emplace(kit.sku, m_kits.size());
  m_kits.push_back(std::move(kit));
  return {};
}

const Item* Catalog::find_by_gtin(std::string_view gtin14) const
{
  auto it = m_by_gtin.find(std::string(gtin14));
  return it == m_by_gtin.end() ? nullptr : &m_items[it->second];
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
