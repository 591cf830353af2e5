import Foundation
import ZIPFoundation

/// Why an admission-ticket document could not be written.
public enum AdmissionTicketError: Error, Sendable, Equatable {
    /// The .docx package (a zip) could not be assembled.
    case writeFailed
}

extension AdmissionTicketRenderer {
    /// The tickets as a Word document (.docx, WordprocessingML), one A4 page each, for offices
    /// that want to edit or print tickets themselves. Word and LibreOffice open it.
    ///
    /// The layout follows the PDF: the title, a bordered table of the fields with the photo at
    /// its top right (a 25 × 35 mm picture), then a table with the numbered 考生须知 and the QR
    /// code (a PNG, 40 mm square) at the bottom right. Every ticket after the first starts on a
    /// new page. Text is 宋体 (黑体 for the title), which Word on Chinese Windows has and
    /// LibreOffice replaces with a CJK font it has.
    ///
    /// Photos that are not readable JPEGs leave an empty box labelled 照片; the same photo used
    /// on several tickets is stored once. A payload too long for a QR code prints 二维码无法生成.
    public static func docx(_ tickets: [AdmissionTicket], title: String = defaultTitle) throws(AdmissionTicketError) -> Data {
        var writer = TicketDOCXWriter(title: title)
        for (index, ticket) in tickets.enumerated() {
            writer.append(ticket, startsPage: index > 0)
        }
        return try writer.finish()
    }
}

/// Builds word/document.xml ticket by ticket and collects the pictures it refers to.
struct TicketDOCXWriter {
    /// Twentieths of a point (twips) for page and table geometry; EMUs (914,400 per inch) for pictures.
    private enum Size {
        static let pageWidth = 11906 // A4
        static let pageHeight = 16838
        static let marginX = 1134 // 20 mm
        static let marginY = 964 // 17 mm
        static let contentWidth = pageWidth - 2 * marginX // 9638
        static let label = 1250
        static let value = 3600
        static let secondLabel = 1250
        static let photoColumn = 2000
        static let secondValue = contentWidth - label - value - secondLabel - photoColumn // 1538
        static let rowHeight = 560 // 28 pt
        static let qrColumn = 2700
        static let emuPerMillimetre = 36_000
        static let photoWidth = 25 * emuPerMillimetre
        static let photoHeight = 35 * emuPerMillimetre
        static let qrSide = 40 * emuPerMillimetre
    }

    private struct Picture {
        let path: String // under word/
        let relationshipID: String
        let bytes: Data
    }

    private let title: String
    private var body = ""
    private var pictures: [Picture] = []
    private var photoParts: [Data: (relationshipID: String, width: Int, height: Int)] = [:]
    private var drawingCount = 0

    init(title: String) {
        self.title = title
        body.reserveCapacity(64 * 1024)
    }

    mutating func append(_ ticket: AdmissionTicket, startsPage: Bool) {
        // Title.
        body += "<w:p><w:pPr>"
        if startsPage { body += "<w:pageBreakBefore/>" }
        body += "<w:spacing w:after=\"240\"/><w:jc w:val=\"center\"/></w:pPr>"
        body += run(title, properties: "<w:rFonts w:ascii=\"黑体\" w:hAnsi=\"黑体\" w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"40\"/><w:szCs w:val=\"40\"/>")
        body += "</w:p>"

        fieldsTable(ticket)
        // A paragraph between the tables keeps Word from merging them, and spaces them.
        body += "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"280\" w:lineRule=\"exact\"/></w:pPr></w:p>"
        rulesTable(ticket)
    }

    // MARK: Tables

    private mutating func fieldsTable(_ ticket: AdmissionTicket) {
        body += tableOpening(columns: [Size.label, Size.value, Size.secondLabel, Size.secondValue, Size.photoColumn])
        let besidePhoto: [(String, String, Bool)] = [
            ("准考证号", ticket.ticketNumber, true),
            ("姓　　名", ticket.name, true),
            ("身份证号", ticket.maskedIDNumber, false),
            ("报考资格", ticket.qualification, false),
            ("考试类型", ticket.examType, false),
        ]
        let photo = photoCell(ticket.photo)
        for (index, field) in besidePhoto.enumerated() {
            body += rowOpening()
            body += labelCell(field.0)
            body += valueCell(field.1, width: Size.value + Size.secondLabel + Size.secondValue, span: 3, emphasised: field.2)
            if index == 0 {
                body += "<w:tc><w:tcPr><w:tcW w:w=\"\(Size.photoColumn)\" w:type=\"dxa\"/><w:vMerge w:val=\"restart\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
                body += photo
                body += "</w:tc>"
            } else {
                body += "<w:tc><w:tcPr><w:tcW w:w=\"\(Size.photoColumn)\" w:type=\"dxa\"/><w:vMerge/></w:tcPr><w:p/></w:tc>"
            }
            body += "</w:tr>"
        }
        let fullWidth = Size.contentWidth - Size.label
        body += rowOpening() + labelCell("考点名称") + valueCell(ticket.centre, width: fullWidth, span: 4) + "</w:tr>"
        body += rowOpening() + labelCell("考　　场") + valueCell(ticket.room, width: Size.value, span: 1)
            + labelCell("座 位 号") + valueCell(ticket.seat, width: Size.secondValue + Size.photoColumn, span: 2, emphasised: true) + "</w:tr>"
        body += rowOpening() + labelCell("考试日期") + valueCell(ticket.date, width: Size.value, span: 1)
            + labelCell("考试时间") + valueCell(ticket.time, width: Size.secondValue + Size.photoColumn, span: 2) + "</w:tr>"
        body += rowOpening() + labelCell("考点地址") + valueCell(ticket.address, width: fullWidth, span: 4) + "</w:tr>"
        body += "</w:tbl>"
    }

    private mutating func rulesTable(_ ticket: AdmissionTicket) {
        let code: Result<QRCode, QRCodeError>? = ticket.qrPayload.isEmpty ? nil : Result { () throws(QRCodeError) in
            try QRCode(text: ticket.qrPayload, level: .medium)
        }
        let rulesWidth = code == nil ? Size.contentWidth : Size.contentWidth - Size.qrColumn
        body += tableOpening(columns: code == nil ? [rulesWidth] : [rulesWidth, Size.qrColumn])
        body += "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        body += "<w:tc><w:tcPr><w:tcW w:w=\"\(rulesWidth)\" w:type=\"dxa\"/><w:tcMar><w:top w:w=\"113\" w:type=\"dxa\"/><w:bottom w:w=\"113\" w:type=\"dxa\"/></w:tcMar></w:tcPr>"
        body += "<w:p><w:pPr><w:spacing w:after=\"100\"/><w:jc w:val=\"center\"/></w:pPr>"
        body += run("考生须知", properties: "<w:b/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>") + "</w:p>"
        for (index, rule) in ticket.rules.enumerated() {
            // Hanging indent: wrapped lines start under the text, not under the number.
            body += "<w:p><w:pPr><w:spacing w:after=\"40\"/><w:ind w:left=\"300\" w:hanging=\"300\"/></w:pPr>"
            body += run("\(index + 1). \(rule)", properties: "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>") + "</w:p>"
        }
        if ticket.rules.isEmpty { body += "<w:p/>" }
        body += "</w:tc>"
        if let code {
            body += "<w:tc><w:tcPr><w:tcW w:w=\"\(Size.qrColumn)\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
            switch code {
            case .success(let symbol):
                let id = addPicture(symbol.png(scale: 8), extension: "png")
                body += "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r>"
                body += drawing(relationshipID: id, name: "二维码", width: Size.qrSide, height: Size.qrSide)
                body += "</w:r></w:p>"
                body += "<w:p><w:pPr><w:spacing w:before=\"40\"/><w:jc w:val=\"center\"/></w:pPr>"
                body += run("入场核验码", properties: "<w:color w:val=\"4D4D4D\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>") + "</w:p>"
            case .failure:
                body += "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>"
                body += run("二维码无法生成", properties: "<w:color w:val=\"666666\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>") + "</w:p>"
            }
            body += "</w:tc>"
        }
        body += "</w:tr></w:tbl>"
    }

    private func tableOpening(columns: [Int]) -> String {
        var xml = "<w:tbl><w:tblPr><w:tblW w:w=\"\(Size.contentWidth)\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>"
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            xml += "<w:\(side) w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/>"
        }
        xml += "</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
        xml += "<w:tblCellMar><w:left w:w=\"100\" w:type=\"dxa\"/><w:right w:w=\"100\" w:type=\"dxa\"/></w:tblCellMar>"
        xml += "<w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>"
        for width in columns { xml += "<w:gridCol w:w=\"\(width)\"/>" }
        return xml + "</w:tblGrid>"
    }

    private func rowOpening() -> String {
        "<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"\(Size.rowHeight)\" w:hRule=\"atLeast\"/></w:trPr>"
    }

    private func labelCell(_ label: String) -> String {
        "<w:tc><w:tcPr><w:tcW w:w=\"\(Size.label)\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
            + "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>" + run(label, properties: "<w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>") + "</w:p></w:tc>"
    }

    private func valueCell(_ value: String, width: Int, span: Int, emphasised: Bool = false) -> String {
        var xml = "<w:tc><w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/>"
        if span > 1 { xml += "<w:gridSpan w:val=\"\(span)\"/>" }
        xml += "<w:vAlign w:val=\"center\"/></w:tcPr><w:p>"
        xml += run(value, properties: emphasised ? "<w:b/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>" : "<w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>")
        return xml + "</w:p></w:tc>"
    }

    // MARK: Pictures

    private mutating func photoCell(_ photo: Data?) -> String {
        if let photo, let part = photoPart(photo) {
            // As large as fits in 25 × 35 mm with the photo's own proportions.
            let scale = min(Double(Size.photoWidth) / Double(part.width), Double(Size.photoHeight) / Double(part.height))
            let width = Int((Double(part.width) * scale).rounded()), height = Int((Double(part.height) * scale).rounded())
            return "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r>"
                + drawing(relationshipID: part.relationshipID, name: "照片", width: width, height: height)
                + "</w:r></w:p>"
        }
        return "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>"
            + run("照片", properties: "<w:color w:val=\"666666\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>") + "</w:p>"
    }

    /// The photo's media part, added once per distinct photo; nil if it is not a readable JPEG.
    private mutating func photoPart(_ photo: Data) -> (relationshipID: String, width: Int, height: Int)? {
        if let existing = photoParts[photo] { return existing }
        guard let info = try? JPEG.inspect(photo), info.width > 0, info.height > 0 else { return nil }
        let part = (addPicture(photo, extension: "jpeg"), info.width, info.height)
        photoParts[photo] = part
        return part
    }

    private mutating func addPicture(_ bytes: Data, extension fileExtension: String) -> String {
        let number = pictures.count + 1
        let id = "rIdImage\(number)"
        pictures.append(Picture(path: "media/image\(number).\(fileExtension)", relationshipID: id, bytes: bytes))
        return id
    }

    /// An inline DrawingML picture `width × height` EMUs.
    private mutating func drawing(relationshipID: String, name: String, width: Int, height: Int) -> String {
        drawingCount += 1
        let id = drawingCount
        return """
            <w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="\(width)" cy="\(height)"/>\
            <wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="\(id)" name="\(name) \(id)"/>\
            <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>\
            <a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">\
            <pic:pic><pic:nvPicPr><pic:cNvPr id="\(id)" name="\(name) \(id)"/><pic:cNvPicPr/></pic:nvPicPr>\
            <pic:blipFill><a:blip r:embed="\(relationshipID)"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
            <pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="\(width)" cy="\(height)"/></a:xfrm>\
            <a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>\
            </wp:inline></w:drawing>
            """
    }

    // MARK: Text

    /// One run of `text`: line breaks become `<w:br/>`, tabs `<w:tab/>`; characters XML cannot
    /// carry (other control characters, U+FFFE, U+FFFF) are dropped.
    private func run(_ text: String, properties: String) -> String {
        var xml = "<w:r><w:rPr>" + properties + "</w:rPr><w:t xml:space=\"preserve\">"
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            switch scalar {
            case "&": xml += "&amp;"
            case "<": xml += "&lt;"
            case ">": xml += "&gt;"
            case "\n" where previous == "\r": continue
            case "\r", "\n": xml += "</w:t><w:br/><w:t xml:space=\"preserve\">"
            case "\t": xml += "</w:t><w:tab/><w:t xml:space=\"preserve\">"
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: xml.unicodeScalars.append(scalar)
            }
        }
        return xml + "</w:t></w:r>"
    }

    // MARK: Package

    func finish() throws(AdmissionTicketError) -> Data {
        var document = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
            xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" \
            xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
            xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>
            """
        document += body
        // Word wants the body to end with a paragraph, not a table.
        document += "<w:p/><w:sectPr><w:pgSz w:w=\"\(Size.pageWidth)\" w:h=\"\(Size.pageHeight)\"/>"
        document += "<w:pgMar w:top=\"\(Size.marginY)\" w:right=\"\(Size.marginX)\" w:bottom=\"\(Size.marginY)\" w:left=\"\(Size.marginX)\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>"
        document += "</w:sectPr></w:body></w:document>"

        var relationships = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
            """
        for picture in pictures {
            relationships += "<Relationship Id=\"\(picture.relationshipID)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"\(picture.path)\"/>"
        }
        relationships += "</Relationships>"

        var parts: [(path: String, bytes: Data, compress: Bool)] = [
            ("[Content_Types].xml", Data(Self.contentTypesXML.utf8), true),
            ("_rels/.rels", Data(Self.packageRelationshipsXML.utf8), true),
            ("docProps/core.xml", Data(coreXML().utf8), true),
            ("word/document.xml", Data(document.utf8), true),
            ("word/_rels/document.xml.rels", Data(relationships.utf8), true),
            ("word/styles.xml", Data(Self.stylesXML.utf8), true),
        ]
        // JPEG and PNG are compressed already: stored as they are.
        parts += pictures.map { ("word/" + $0.path, $0.bytes, false) }
        return try Self.zip(parts)
    }

    private static func zip(_ parts: [(path: String, bytes: Data, compress: Bool)]) throws(AdmissionTicketError) -> Data {
        do {
            let archive = try Archive(accessMode: .create)
            for part in parts {
                let bytes = part.bytes
                try archive.addEntry(
                    with: part.path, type: .file, uncompressedSize: Int64(bytes.count),
                    compressionMethod: part.compress ? .deflate : .none, bufferSize: 256 * 1024
                ) { position, size in
                    let start = Int(position)
                    return bytes.subdata(in: start..<min(start + size, bytes.count))
                }
            }
            guard let data = archive.data else { throw AdmissionTicketError.writeFailed }
            return data
        } catch {
            throw .writeFailed
        }
    }

    private func coreXML() -> String {
        var escapedTitle = ""
        for scalar in title.unicodeScalars {
            switch scalar {
            case "&": escapedTitle += "&amp;"
            case "<": escapedTitle += "&lt;"
            case ">": escapedTitle += "&gt;"
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: escapedTitle.unicodeScalars.append(scalar)
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>\(escapedTitle)</dc:title><dc:creator>SafeCert</dc:creator></cp:coreProperties>
            """
    }

    private static let contentTypesXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Default Extension="jpeg" ContentType="image/jpeg"/>\
        <Default Extension="png" ContentType="image/png"/>\
        <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
        <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
        <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
        </Types>
        """

    private static let packageRelationshipsXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
        </Relationships>
        """

    /// 10.5 pt 宋体 (Times New Roman for Latin text), single spacing, no space after paragraphs.
    private static let stylesXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\
        <w:docDefaults><w:rPrDefault><w:rPr>\
        <w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/>\
        <w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>\
        </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>\
        <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>\
        <w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/>\
        <w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>\
        <w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>\
        </w:styles>
        """
}
