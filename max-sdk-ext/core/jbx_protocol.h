/* Wire protocol v1 constants for C: the one C copy of docs/PROTOCOL.md.
 * tests/test_protocol_constants.py parses every "#define JBX_NAME value" line
 * here and compares it with the tables in the doc, so add nothing else here. */
#ifndef JBX_PROTOCOL_H
#define JBX_PROTOCOL_H

/* constants table */
#define JBX_PROTOCOL_VERSION 1
#define JBX_DEFAULT_ENDPOINT "tcp://127.0.0.1:5557"
#define JBX_MAX_HEADER_BYTES 65536
#define JBX_MAX_CHANNELS 8
#define JBX_MAX_N_SAMPLES 16
#define JBX_MAX_INPUT_SECONDS 600
#define JBX_MAX_OUTPUT_SECONDS 600
#define JBX_MAX_SAMPLE_RATE 384000
#define JBX_MIN_SAMPLE_RATE 8000
#define JBX_MAX_MESSAGE_BYTES 268435456
#define JBX_MAX_QUEUED_JOBS_PER_CLIENT 16
#define JBX_MAX_LYRICS_CHARS 4096

/* message types table */
#define JBX_TYPE_HELLO "hello"
#define JBX_TYPE_WELCOME "welcome"
#define JBX_TYPE_PING "ping"
#define JBX_TYPE_PONG "pong"
#define JBX_TYPE_STATUS "status"
#define JBX_TYPE_LOAD "load"
#define JBX_TYPE_LOADED "loaded"
#define JBX_TYPE_UNLOAD "unload"
#define JBX_TYPE_UNLOADED "unloaded"
#define JBX_TYPE_GENERATE "generate"
#define JBX_TYPE_QUEUED "queued"
#define JBX_TYPE_PROGRESS "progress"
#define JBX_TYPE_RESULT "result"
#define JBX_TYPE_CHUNK "chunk"
#define JBX_TYPE_CANCEL "cancel"
#define JBX_TYPE_CANCELLED "cancelled"
#define JBX_TYPE_ECHO "echo"
#define JBX_TYPE_ERROR "error"
#define JBX_TYPE_BYE "bye"

/* error codes table */
#define JBX_ERR_BAD_MESSAGE "bad_message"
#define JBX_ERR_BAD_VERSION "bad_version"
#define JBX_ERR_UNKNOWN_TYPE "unknown_type"
#define JBX_ERR_BAD_FIELD "bad_field"
#define JBX_ERR_BAD_AUDIO "bad_audio"
#define JBX_ERR_TOO_LARGE "too_large"
#define JBX_ERR_UNKNOWN_MODEL "unknown_model"
#define JBX_ERR_MODEL_UNAVAILABLE "model_unavailable"
#define JBX_ERR_UNKNOWN_ARTIST "unknown_artist"
#define JBX_ERR_UNKNOWN_GENRE "unknown_genre"
#define JBX_ERR_QUEUE_FULL "queue_full"
#define JBX_ERR_CANCELLED "cancelled"
#define JBX_ERR_SHUTDOWN "shutdown"
#define JBX_ERR_INTERNAL "internal"

#endif
