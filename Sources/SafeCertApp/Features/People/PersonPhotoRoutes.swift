import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// The 1-inch photo (seed 002): one upload per person, or many `身份证号.jpg` files (or a ZIP of
/// them) matched to people, with a report of matched, unmatched and refused files.
enum PersonPhotoRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.personPhoto(.key), anyOf: Permission.personPhotoViewers) { req, user in try await serve(req, user, thumbnail: false) }
        routes.page(.personThumbnail(.key), anyOf: Permission.personPhotoViewers) { req, user in try await serve(req, user, thumbnail: true) }
        routes.upload(.personPhoto(.key), .registerPeople, maxBody: "3mb", use: upload)
        routes.page(.peoplePhotos, .importPeople, use: showBatch)
        routes.upload(.peoplePhotos, .importPeople, maxBody: "200mb", use: uploadBatch)
    }

    static let thumbnailBox = (width: 60, height: 84)

    static func serve(_ req: Request, _ user: CurrentUser, thumbnail: Bool) async throws -> Response {
        guard let person = try await Person.find(try req.idParameter(), in: user.scope, on: req.db),
              let photo = try await PersonPhoto.query(on: req.db).filter(\.$person.$id == person.requireID()).first()
        else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.contentType = .jpeg
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(data: thumbnail ? photo.thumbnail : photo.jpeg))
    }

    /// What the audit entry of a stored photo says: who, and how (one upload, a batch, the person).
    struct AuditNote: Sendable {
        let actor: AuditActor
        let note: String
        let at: Date
    }

    /// A photo that passed the 1-inch rule, with its thumbnail, ready to be saved.
    struct CheckedPhoto: Sendable {
        let jpeg: Data
        let thumbnail: Data
        let info: JPEGInfo
    }

    /// Decodes and checks a photo on the document pool and makes its thumbnail; writes nothing.
    static func check(_ data: Data, pool: DocumentPool) async throws -> Result<CheckedPhoto, PhotoError> {
        try await pool.run {
            do {
                let info = try IDPhotoRule().check(data)
                let thumb = try JPEG.thumbnail(data, maxWidth: thumbnailBox.width * 2, maxHeight: thumbnailBox.height * 2)
                return .success(CheckedPhoto(jpeg: data, thumbnail: thumb, info: info))
            } catch let error as PhotoError {
                return .failure(error)
            } catch {
                return .failure(.codecFailure(reason: String(describing: error)))
            }
        }
    }

    /// Writes a checked photo for the person on `db` (the caller's transaction). The person's
    /// row is written first: that takes SQLite's write lock (PostgreSQL's row lock) before the
    /// photo row is read, so a write another request commits meanwhile can't void the
    /// transaction's snapshot (SQLite's "database is locked" on two uploads at once).
    static func save(_ photo: CheckedPhoto, for person: Person, on db: any Database) async throws {
        try await Person.query(on: db).filter(\.$id == person.requireID()).set(\.$hasPhoto, to: true).update()
        let record = try await PersonPhoto.query(on: db).filter(\.$person.$id == person.requireID()).first() ?? PersonPhoto()
        record.jpeg = photo.jpeg
        record.thumbnail = photo.thumbnail
        record.width = photo.info.width
        record.height = photo.info.height
        record.$person.id = try person.requireID()
        try await record.save(on: db)
        person.hasPhoto = true
        try await person.save(on: db)
    }

    /// Checks a photo and stores it (and its thumbnail) for the person; the caller has checked access.
    static func store(_ data: Data, for person: Person, on db: any Database, pool: DocumentPool,
                      audit: AuditNote? = nil) async throws -> Result<JPEGInfo, PhotoError> {
        switch try await check(data, pool: pool) {
        case .failure(let error):
            return .failure(error)
        case .success(let photo):
            try await db.transaction { db in
                try await save(photo, for: person, on: db)
                if let audit {
                    try await Audit.record(on: db, actor: audit.actor, action: "person.photo", targetType: "person", targetID: person.id?.uuidString,
                                           summary: "\(audit.note)上传照片 \(photo.info.width)×\(photo.info.height)", at: audit.at)
                }
            }
            return .success(photo.info)
        }
    }

    static func upload(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await PersonRoutes.ownedPerson(req, user)
        guard let file = req.uploadedFile("photo"), file.data.readableBytes > 0 else {
            try await req.flash(.error, "照片：请选择要上传的照片文件")
            return req.redirect(.person(.id(person.id)))
        }
        switch try await store(Data(file.data.readableBytesView), for: person, on: req.db, pool: req.application.documentPool,
                               audit: AuditNote(actor: req.auditActor(user), note: "", at: req.now)) {
        case .failure(let error):
            try await req.flash(.error, "照片：" + error.message)
        case .success:
            try await req.flash(.success, "照片已上传")
        }
        return req.redirect(.person(.id(person.id)))
    }

    struct BatchRow: Encodable, Sendable {
        let file: String
        let outcome: String
        let person: String?
    }

    struct BatchModel: Encodable, Sendable {
        var matched: [BatchRow] = []
        var unmatched: [BatchRow] = []
        var refused: [BatchRow] = []
        var submitted = false
    }

    static func showBatch(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await req.render("people/photos", title: "批量上传照片", BatchModel())
    }

    /// Files named by ID number; a ZIP is opened and its JPEGs taken the same way.
    static func uploadBatch(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var model = BatchModel(submitted: true)
        let uploads: PhotoUploads
        switch try await uploadedPhotos(req, field: "photos") {
        case .failure(let refusal):
            model.refused.append(BatchRow(file: refusal.archive, outcome: refusal.message + "；未保存任何照片", person: nil))
            return try await req.render("people/photos", title: "批量上传照片", model,
                                       status: refusal.isTooLarge ? .payloadTooLarge : .unprocessableEntity)
        case .success(let found):
            uploads = found
        }
        for name in uploads.oversized {
            model.refused.append(BatchRow(file: fileBaseName(name), outcome: oversizedMessage, person: nil))
        }
        if uploads.files.isEmpty && uploads.oversized.isEmpty {
            model.refused.append(BatchRow(file: "-", outcome: "请选择照片文件（身份证号.jpg）或其压缩包（.zip）", person: nil))
            return try await req.render("people/photos", title: "批量上传照片", model, status: .unprocessableEntity)
        }
        let holdersByNumber = try await holders(of: Set(uploads.files.compactMap { idNumber(fromFileName: $0.0) }), for: user, on: req.db)
        for (name, data) in uploads.files {
            try await storeBatchFile(name, data, holdersByNumber, req, user, into: &model)
        }
        try await req.audit(user, "person.photo-batch", target: "organization", user.organizationID?.uuidString,
                            summary: "批量上传照片：匹配 \(model.matched.count)，未匹配 \(model.unmatched.count)，不合格 \(model.refused.count)")
        return try await req.render("people/photos", title: "批量上传照片", model)
    }

    /// One file of the batch: saved for the one person of the unit its name's number names, or
    /// told apart as unmatched or refused.
    private static func storeBatchFile(_ name: String, _ data: Data, _ holdersByNumber: [String: [Person]], _ req: Request,
                                       _ user: CurrentUser, into model: inout BatchModel) async throws {
        let base = fileBaseName(name)
        guard let number = idNumber(fromFileName: name) else {
            model.refused.append(BatchRow(file: base, outcome: "文件名应为“证件号码.jpg”", person: nil))
            return
        }
        // The file names a number, not a document type: two people of this unit holding
        // the same number on different documents can't be told apart by it.
        let holders = holdersByNumber[number] ?? []
        guard let person = holders.first else {
            model.unmatched.append(BatchRow(file: base, outcome: "未找到本单位登记的该证件号码人员", person: nil))
            return
        }
        guard holders.count == 1 else {
            model.refused.append(BatchRow(file: base, outcome: "本单位有 \(holders.count) 人使用该号码（证件类型不同），请在人员页面分别上传", person: nil))
            return
        }
        switch try await store(data, for: person, on: req.db, pool: req.application.documentPool,
                               audit: AuditNote(actor: req.auditActor(user), note: "批量", at: req.now)) {
        case .failure(let error):
            model.refused.append(BatchRow(file: base, outcome: error.message, person: person.name))
        case .success:
            model.matched.append(BatchRow(file: base, outcome: "已匹配并保存", person: person.name))
        }
    }

    /// The user's own people (not cancelled) holding each number, at most 3 a number: one query
    /// for 500 numbers, not one a file.
    static func holders(of numbers: Set<String>, for user: CurrentUser, on db: any Database) async throws -> [String: [Person]] {
        var found: [String: [Person]] = [:]
        let all = Array(numbers)
        for start in stride(from: 0, to: all.count, by: 500) {
            let chunk = Array(all[start..<min(start + 500, all.count)])
            for person in try await Person.query(on: db).filter(\.$idNumber ~~ chunk).scoped(to: user.scope)
                .filter(\.$status != .cancelled).all() {
                found[person.idNumber, default: []].append(person)
            }
        }
        return found.mapValues { Array($0.prefix(3)).filter { PersonRoutes.owns(user, $0) } }
    }

    static var oversizedMessage: String {
        "照片文件过大：解压后超过 \(ZIPLimits.photos.maximumEntryBytes / (1024 * 1024)) MB，未读取"
    }

    /// The photos of one form field: plain files as sent, ZIPs opened under `ZIPLimits.photos`
    /// (one budget for all of them) on the document pool. At most `maximumFiles` files in all.
    struct PhotoUploads: Sendable {
        var files: [(String, Data)] = []
        var oversized: [String] = []
    }

    static let maximumFiles = 5_000

    static func uploadedPhotos(_ req: Request, field: String) async throws -> Result<PhotoUploads, PhotoArchive.Refusal> {
        let uploads = req.uploadedFiles(field).filter { $0.data.readableBytes > 0 }
        guard !uploads.isEmpty else { return .success(PhotoUploads()) }
        return try await req.application.documentPool.run { photos(in: uploads) }
    }

    /// Sorts the uploads into photos and ZIPs and opens the ZIPs: document work, for the pool.
    static func photos(in uploads: [File]) -> Result<PhotoUploads, PhotoArchive.Refusal> {
        var result = PhotoUploads()
        var archives: [(name: String, data: Data)] = []
        for upload in uploads {
            let data = Data(upload.data.readableBytesView)
            if PhotoArchive.isZIP(name: upload.filename, data: data) {
                archives.append((upload.filename, data))
            } else {
                result.files.append((upload.filename, data))
            }
        }
        if !archives.isEmpty {
            do {
                let contents = try PhotoArchive.extract(archives)
                result.files += contents.photos.map { ($0.path, $0.data) }
                result.oversized = contents.oversized
            } catch {
                return .failure(error)
            }
        }
        if result.files.count > maximumFiles {
            return .failure(PhotoArchive.Refusal(archive: "照片", reason: .tooManyEntries(maximum: maximumFiles)))
        }
        return .success(result)
    }

    /// "dir/220102198503120318.JPG" → "220102198503120318.JPG".
    static func fileBaseName(_ name: String) -> String { name.split(separator: "/").last.map(String.init) ?? name }

    /// The ID number a photo file is named by ("证件号码.jpg"), or nil when it isn't named so.
    static func idNumber(fromFileName name: String) -> String? {
        let base = fileBaseName(name)
        let stem = base.replacingOccurrences(of: ".jpeg", with: "", options: [.caseInsensitive, .anchored, .backwards])
            .replacingOccurrences(of: ".jpg", with: "", options: [.caseInsensitive, .anchored, .backwards])
        return stem == base || stem.isEmpty ? nil : TextNormalizationBridge.idNumber(stem)
    }
}
