import protobuf from 'protobufjs';

/**
 * The OTLP trace and log messages the receiver decodes and answers with, as the
 * OpenTelemetry protocol specification defines them (opentelemetry-proto v1:
 * collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
 * collector/logs/v1/logs_service.proto, logs/v1/logs.proto (severity_number, an
 * enum there, read as its number),
 * common/v1/common.proto, resource/v1/resource.proto; google.rpc.Status for
 * errors). Only the messages a trace or log export carries; field numbers and types
 * are the wire contract. protobufjs does the decoding and encoding; the
 * receiver tests check this against bytes the real OTLP/proto exporter sends.
 */
const SCHEMA = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }

message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
message Status { string message = 2; int32 code = 3; }

message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

message RpcStatus { int32 code = 1; string message = 2; }
`;

let root: protobuf.Root | undefined;

function types() {
  root ??= protobuf.parse(SCHEMA, { keepCase: false }).root;
  return {
    request: root.lookupType('opentelemetry.proto.ExportTraceServiceRequest'),
    response: root.lookupType('opentelemetry.proto.ExportTraceServiceResponse'),
    status: root.lookupType('opentelemetry.proto.RpcStatus'),
    logsRequest: root.lookupType('opentelemetry.proto.ExportLogsServiceRequest'),
    logsResponse: root.lookupType('opentelemetry.proto.ExportLogsServiceResponse'),
  };
}

/** Decodes an ExportLogsServiceRequest (throws on bytes that are not one). */
export function decodeLogsRequest(bytes: Uint8Array): unknown {
  return types().logsRequest.decode(bytes);
}

/** An ExportLogsServiceResponse; empty when nothing was rejected. */
export function encodeLogsResponse(rejectedLogRecords: number, errorMessage: string): Uint8Array {
  const { logsResponse } = types();
  const body = rejectedLogRecords > 0 ? { partialSuccess: { rejectedLogRecords, errorMessage } } : {};
  return logsResponse.encode(logsResponse.fromObject(body)).finish();
}

/** Decodes an ExportTraceServiceRequest (throws on bytes that are not one). */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  return types().request.decode(bytes);
}

/** An ExportTraceServiceResponse; empty (no partial success) when nothing was rejected. */
export function encodeTraceResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  const { response } = types();
  const body = rejectedSpans > 0 ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
  return response.encode(response.fromObject(body)).finish();
}

/** A google.rpc.Status, the body OTLP/HTTP gives with a 4xx/5xx. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const { status } = types();
  return status.encode(status.fromObject({ code, message })).finish();
}
