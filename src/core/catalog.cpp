#include <pickverify/catalog.hpp>

#include <pickverify/codes.hpp>

#include <set>

#include <fmt/format.h>

namespace pickverify {

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
