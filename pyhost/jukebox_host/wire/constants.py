"""Wire protocol v1 constants: the Python copy. docs/PROTOCOL.md is the source; a test compares them."""

PROTOCOL_VERSION = 1
DEFAULT_ENDPOINT = "tcp://127.0.0.1:5557"
MAX_HEADER_BYTES = 65536
MAX_CHANNELS = 8
MAX_N_SAMPLES = 16
MAX_INPUT_SECONDS = 600
MAX_OUTPUT_SECONDS = 600
MAX_SAMPLE_RATE = 384000
MIN_SAMPLE_RATE = 8000
MAX_MESSAGE_BYTES = 268435456
MAX_QUEUED_JOBS_PER_CLIENT = 16
MAX_LYRICS_CHARS = 4096

# Message types.
TYPE_HELLO = "hello"
TYPE_WELCOME = "welcome"
TYPE_PING = "ping"
TYPE_PONG = "pong"
TYPE_STATUS = "status"
TYPE_LOAD = "load"
TYPE_LOADED = "loaded"
TYPE_UNLOAD = "unload"
TYPE_UNLOADED = "unloaded"
TYPE_GENERATE = "generate"
TYPE_QUEUED = "queued"
TYPE_PROGRESS = "progress"
TYPE_RESULT = "result"
TYPE_CHUNK = "chunk"
TYPE_CANCEL = "cancel"
TYPE_CANCELLED = "cancelled"
TYPE_ECHO = "echo"
TYPE_ERROR = "error"
TYPE_BYE = "bye"

# Error codes.
ERR_BAD_MESSAGE = "bad_message"
ERR_BAD_VERSION = "bad_version"
ERR_UNKNOWN_TYPE = "unknown_type"
ERR_BAD_FIELD = "bad_field"
ERR_BAD_AUDIO = "bad_audio"
ERR_TOO_LARGE = "too_large"
ERR_UNKNOWN_MODEL = "unknown_model"
ERR_MODEL_UNAVAILABLE = "model_unavailable"
ERR_UNKNOWN_ARTIST = "unknown_artist"
ERR_UNKNOWN_GENRE = "unknown_genre"
ERR_QUEUE_FULL = "queue_full"
ERR_CANCELLED = "cancelled"
ERR_SHUTDOWN = "shutdown"
ERR_INTERNAL = "internal"

# Types a client may send to the host.
CLIENT_TYPES = frozenset(
    {TYPE_HELLO, TYPE_PING, TYPE_STATUS, TYPE_LOAD, TYPE_UNLOAD, TYPE_GENERATE, TYPE_CANCEL, TYPE_ECHO}
)
MODE_PRIMED = "primed"
MODE_ANCESTRAL = "ancestral"
MODE_UPSAMPLE = "upsample"
MODE_CONTINUE = "continue"
MODES = (MODE_PRIMED, MODE_ANCESTRAL, MODE_UPSAMPLE, MODE_CONTINUE)
