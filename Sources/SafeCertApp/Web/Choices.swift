import Foundation
import SafeCertCore
import Vapor

/// Shared choice lists and downloads for forms, filters and exports.
enum Choices {
    /// Provinces and cities (cities indented under their province) that pass `include`.
    static func regions(selected: String, nationwide: Bool = false, include: (Region) -> Bool = { _ in true }) -> [OrganizationForm.Option] {
        let catalog = RegionCatalog.shared
        var options: [OrganizationForm.Option] = []
        if nationwide {
            options.append(.init(value: Region.nationwideCode, label: "全国", selected: selected == Region.nationwideCode))
        }
        let shown = catalog.selectable.filter(include)
        let provinces = Set(shown.filter { $0.level == .province }.map(\.code))
        // A municipality is listed once, as its province: its city-level entries repeat the name
        // (北京市 / 北京市) — unless the province isn't offered, or the entry is the one chosen.
        options += shown.filter { r in
            !(catalog.repeatsProvince(r) && r.parentCode.map(provinces.contains) == true && r.code != selected)
        }.map {
            .init(value: $0.code, label: $0.level == .city ? "　" + catalog.fullName(code: $0.code) : $0.name, selected: $0.code == selected)
        }
        return options
    }

    /// Regions inside what the account may see.
    static func regions(for user: CurrentUser, selected: String) -> [OrganizationForm.Option] {
        regions(selected: selected) { user.scope.includes(regionCode: $0.code) }
    }
}

/// An .xlsx download with a Chinese file name.
func xlsxResponse(_ data: Data, fileName: String) -> Response {
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "export.xlsx"
    headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"export.xlsx\"; filename*=UTF-8''\(encoded)")
    return Response(status: .ok, headers: headers, body: .init(data: data))
}
