import Foundation
import Vapor

/// The OpenAPI 3.1 description of every API route that exists. A test compares its paths with
/// the registered routes, so a new route without documentation fails CI.
enum OpenAPIDocument {
    static let json: String = """
    {
      "openapi": "3.1.0",
      "info": {"title": "SafeCert API", "version": "1.0.0",
               "description": "安全生产人员培训考核与证书管理平台接口。除 /healthz 与本文档外，均以单位的接口密钥认证（Authorization: Bearer sk_…）。"},
      "servers": [{"url": "/"}],
      "components": {
        "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "由安全管理员为单位创建的接口密钥"}},
        "schemas": {
          "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
          "Organization": {"type": "object", "required": ["id", "name", "kind", "regionCode"], "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["authority", "association", "training_institution", "exam_centre", "enterprise", "school", "platform"]},
            "regionCode": {"type": "string", "pattern": "^[0-9]{6}$"}, "creditCode": {"type": ["string", "null"]}}},
          "EnterpriseLookup": {"type": "object", "required": ["creditCode", "name", "checkCharacterValid"], "properties": {
            "creditCode": {"type": "string"}, "name": {"type": "string"}, "checkCharacterValid": {"type": "boolean"}}}
        },
        "responses": {
          "BadRequest": {"description": "请求体不是所述的 JSON", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "PayloadTooLarge": {"description": "请求体过大（成绩上传 2 MB，其余 64 KB）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "UnsupportedMediaType": {"description": "请求体不是 application/json", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "paths": {
        "/healthz": {"get": {"summary": "健康检查：数据库可用时返回 200", "security": [],
          "responses": {"200": {"description": "正常", "content": {"application/json": {"schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}}}},
                        "503": {"description": "数据库不可用", "content": {"application/json": {"schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}}}}}}},
        "/api/v1/openapi.json": {"get": {"summary": "本接口文档", "security": [], "responses": {"200": {"description": "OpenAPI 文档", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}}}}},
        "/api/v1/me": {"get": {"summary": "接口密钥所属单位", "security": [{"apiKey": []}],
          "responses": {"200": {"description": "单位", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Organization"}}}},
                        "401": {"description": "密钥无效", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/api/v1/enterprises/lookup": {"get": {"summary": "按统一社会信用代码查询企业名称", "security": [{"apiKey": []}],
          "parameters": [{"name": "creditCode", "in": "query", "required": true, "schema": {"type": "string", "minLength": 18, "maxLength": 18, "pattern": "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}$"},
            "description": "18 位：数字与除 I、O、Z、S、V 以外的字母，第 3–8 位为行政区划代码；校验位不符时仍返回 200，checkCharacterValid 为 false"}],
          "responses": {"200": {"description": "企业", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnterpriseLookup"}}}},
                        "400": {"description": "代码格式错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "401": {"description": "密钥无效", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "404": {"description": "未登记", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/api/v1/enrolments/{id}/payment": {"post": {"summary": "登记报名已缴费（培训机构密钥，仅本机构培训班的报名）", "security": [{"apiKey": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
          "responses": {"200": {"description": "已缴费（重复登记也返回 200）", "content": {"application/json": {"schema": {"type": "object",
                          "properties": {"id": {"type": "string"}, "state": {"type": "string"}, "paid": {"type": "boolean"},
                                         "paymentNotice": {"type": ["string", "null"]}, "paidAt": {"type": ["string", "null"], "format": "date-time"}}}}}},
                        "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                        "401": {"description": "密钥无效", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "403": {"description": "不是培训机构的密钥", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "404": {"description": "不是本机构培训班的报名", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "409": {"description": "报名尚未确认", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/api/v1/exam-plans/{serial}/scores": {"post": {"summary": "上传考试成绩（考核点密钥，仅本考核点的考试计划；考试开始后、提交前；全部正确才保存）", "security": [{"apiKey": []}],
          "parameters": [{"name": "serial", "in": "path", "required": true, "schema": {"type": "string"}, "description": "考试计划流水号"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["scores"], "properties": {
            "scores": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {"type": "object", "required": ["ticketNumber", "idNumber"], "properties": {
              "ticketNumber": {"type": "string"}, "idNumber": {"type": "string"},
              "theory": {"type": "string", "description": "分数（最多一位小数）或“缺考”；不上传该科目时省略"},
              "practical": {"type": "string", "description": "分数（最多一位小数）或“缺考”；不上传该科目时省略"}}}}}}}}},
          "responses": {"200": {"description": "已保存", "content": {"application/json": {"schema": {"type": "object", "properties": {"serial": {"type": "string"}, "saved": {"type": "integer"}}}}}},
                        "400": {"$ref": "#/components/responses/BadRequest"},
                        "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                        "401": {"description": "密钥无效", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "403": {"description": "不是考核点的密钥", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "404": {"description": "不是本考核点的考试计划", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "409": {"description": "考试计划不在可录入成绩的状态", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "422": {"description": "有错误，未保存任何成绩；原因逐条列出", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/api/v1/exam-candidates/{ticket}/progress": {"post": {"summary": "上报考生答题进度或交卷（考核点的考试客户端）；未通过实名认证的考生一律拒绝", "security": [{"apiKey": []}],
          "parameters": [{"name": "ticket", "in": "path", "required": true, "schema": {"type": "string"}, "description": "准考证号"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "answered": {"type": "integer"}, "total": {"type": "integer"}, "submitted": {"type": "boolean"}}}}}},
          "responses": {"200": {"description": "已记录", "content": {"application/json": {"schema": {"type": "object", "properties": {
                          "ticketNumber": {"type": "string"}, "attendance": {"type": "string", "enum": ["not_arrived", "admitted", "in_exam", "submitted", "absent"]},
                          "answered": {"type": ["integer", "null"]}, "total": {"type": ["integer", "null"]}}}}}},
                        "400": {"$ref": "#/components/responses/BadRequest"},
                        "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                        "401": {"description": "密钥无效", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "403": {"description": "不是考核点的密钥", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "404": {"description": "不是本考核点的考生", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "409": {"description": "未通过实名认证、已交卷、缺考或不在考试时间内", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
      },
      "security": [{"apiKey": []}]
    }
    """

    static func response() -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: json))
    }
}
