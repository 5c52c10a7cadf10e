{
 "patcher": {
  "fileversion": 1,
  "appversion": {
   "major": 8,
   "minor": 5,
   "revision": 0,
   "architecture": "x64",
   "modernui": 1
  },
  "classnamespace": "box",
  "rect": [
   60,
   60,
   1000,
   980
  ],
  "bglocked": 0,
  "openinpresentation": 0,
  "default_fontsize": 12.0,
  "default_fontface": 0,
  "default_fontname": "Arial",
  "gridonopen": 1,
  "gridsize": [
   15.0,
   15.0
  ],
  "gridsnaponopen": 1,
  "objectsnaponopen": 1,
  "statusbarvisible": 2,
  "toolbarvisible": 1,
  "boxanimatetime": 200,
  "enablehscroll": 1,
  "enablevscroll": 1,
  "devicewidth": 0.0,
  "description": "",
  "digest": "",
  "tags": "",
  "style": "",
  "subpatcher_template": "",
  "assistshowspatchername": 0,
  "boxes": [
   {
    "box": {
     "id": "obj-1",
     "maxclass": "comment",
     "patching_rect": [
      20,
      10,
      900,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "jukebox~ - continue, re-imagine or upsample audio with OpenAI Jukebox"
    }
   },
   {
    "box": {
     "id": "obj-2",
     "maxclass": "comment",
     "patching_rect": [
      20,
      38,
      900,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "The model runs in a separate process: start it with 'jukebox-host serve' (or autostart 1)."
    }
   },
   {
    "box": {
     "id": "obj-3",
     "maxclass": "comment",
     "patching_rect": [
      20,
      66,
      900,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "Arguments: source and destination array/buffer~. Settings are messages (Pd) or attributes (Max); 0 or empty = the host's default."
    }
   },
   {
    "box": {
     "id": "obj-4",
     "maxclass": "comment",
     "patching_rect": [
      20,
      94,
      900,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "Outlets: 1 bang when dst holds the result, 2 progress 0..1, 3 info: state idle|queued|running|done / error <code> <message> / preview / pong / status ..."
    }
   },
   {
    "box": {
     "id": "obj-5",
     "maxclass": "comment",
     "patching_rect": [
      20,
      122,
      900,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "Buffers: all channels of src are sent at src's sample rate; the result is resized into dst at dst's rate and channel count."
    }
   },
   {
    "box": {
     "id": "obj-6",
     "maxclass": "newobj",
     "patching_rect": [
      20,
      944,
      320,
      22
     ],
     "numinlets": 1,
     "numoutlets": 3,
     "outlettype": [
      "bang",
      "float",
      ""
     ],
     "text": "jukebox~ jbx-src jbx-dst"
    }
   },
   {
    "box": {
     "id": "obj-7",
     "maxclass": "message",
     "patching_rect": [
      20,
      162,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "bang"
    }
   },
   {
    "box": {
     "id": "obj-8",
     "maxclass": "comment",
     "patching_rect": [
      200,
      162,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "start a job: src -> host -> dst"
    }
   },
   {
    "box": {
     "id": "obj-9",
     "maxclass": "message",
     "patching_rect": [
      20,
      188,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "cancel"
    }
   },
   {
    "box": {
     "id": "obj-10",
     "maxclass": "comment",
     "patching_rect": [
      200,
      188,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "cancel the job in flight"
    }
   },
   {
    "box": {
     "id": "obj-11",
     "maxclass": "message",
     "patching_rect": [
      20,
      214,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "ping"
    }
   },
   {
    "box": {
     "id": "obj-12",
     "maxclass": "comment",
     "patching_rect": [
      200,
      214,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "is the host alive? -> info: pong <time>"
    }
   },
   {
    "box": {
     "id": "obj-13",
     "maxclass": "message",
     "patching_rect": [
      20,
      240,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "status"
    }
   },
   {
    "box": {
     "id": "obj-14",
     "maxclass": "comment",
     "patching_rect": [
      200,
      240,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "host status -> info: status device .. queue .. running .. mine .. models .."
    }
   },
   {
    "box": {
     "id": "obj-15",
     "maxclass": "message",
     "patching_rect": [
      20,
      266,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "set jbx-src jbx-dst"
    }
   },
   {
    "box": {
     "id": "obj-16",
     "maxclass": "comment",
     "patching_rect": [
      200,
      266,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "choose source and destination buffer~"
    }
   },
   {
    "box": {
     "id": "obj-17",
     "maxclass": "message",
     "patching_rect": [
      20,
      292,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "variations jbx-var2 jbx-var3"
    }
   },
   {
    "box": {
     "id": "obj-18",
     "maxclass": "comment",
     "patching_rect": [
      200,
      292,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "buffer~s for variations 2, 3 \u2026 (n_samples > 1)"
    }
   },
   {
    "box": {
     "id": "obj-19",
     "maxclass": "message",
     "patching_rect": [
      20,
      302,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "model tiny"
    }
   },
   {
    "box": {
     "id": "obj-20",
     "maxclass": "comment",
     "patching_rect": [
      200,
      302,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute model: a model the host serves (tiny: the built-in test model; empty: the host's default)"
    }
   },
   {
    "box": {
     "id": "obj-21",
     "maxclass": "message",
     "patching_rect": [
      20,
      326,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "mode primed"
    }
   },
   {
    "box": {
     "id": "obj-22",
     "maxclass": "comment",
     "patching_rect": [
      200,
      326,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute mode: primed: continue the prompt; ancestral: no input; upsample: re-sample the lower levels; continue: extend the last result by length s from its exact codes"
    }
   },
   {
    "box": {
     "id": "obj-23",
     "maxclass": "message",
     "patching_rect": [
      20,
      350,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "mode ancestral"
    }
   },
   {
    "box": {
     "id": "obj-24",
     "maxclass": "comment",
     "patching_rect": [
      200,
      350,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute ... or ancestral"
    }
   },
   {
    "box": {
     "id": "obj-25",
     "maxclass": "message",
     "patching_rect": [
      20,
      374,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "mode upsample"
    }
   },
   {
    "box": {
     "id": "obj-26",
     "maxclass": "comment",
     "patching_rect": [
      200,
      374,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute ... or upsample"
    }
   },
   {
    "box": {
     "id": "obj-27",
     "maxclass": "message",
     "patching_rect": [
      20,
      398,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "mode continue"
    }
   },
   {
    "box": {
     "id": "obj-28",
     "maxclass": "comment",
     "patching_rect": [
      200,
      398,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute ... or continue"
    }
   },
   {
    "box": {
     "id": "obj-29",
     "maxclass": "message",
     "patching_rect": [
      20,
      422,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "length 10"
    }
   },
   {
    "box": {
     "id": "obj-30",
     "maxclass": "comment",
     "patching_rect": [
      200,
      422,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute length: seconds of the result, prompt included (continue: the seconds it adds)"
    }
   },
   {
    "box": {
     "id": "obj-31",
     "maxclass": "message",
     "patching_rect": [
      20,
      446,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "song_length 180"
    }
   },
   {
    "box": {
     "id": "obj-32",
     "maxclass": "comment",
     "patching_rect": [
      200,
      446,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute song_length: seconds of the whole song the result begins: labels it (OpenAI's total length)"
    }
   },
   {
    "box": {
     "id": "obj-33",
     "maxclass": "message",
     "patching_rect": [
      20,
      470,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "prompt 4"
    }
   },
   {
    "box": {
     "id": "obj-34",
     "maxclass": "comment",
     "patching_rect": [
      200,
      470,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute prompt: seconds of the input used as prompt (0: all of it)"
    }
   },
   {
    "box": {
     "id": "obj-35",
     "maxclass": "message",
     "patching_rect": [
      20,
      494,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "levels 3"
    }
   },
   {
    "box": {
     "id": "obj-36",
     "maxclass": "comment",
     "patching_rect": [
      200,
      494,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute levels: 1: top level only, fast preview quality; 3: all levels, full quality (a preview first)"
    }
   },
   {
    "box": {
     "id": "obj-37",
     "maxclass": "message",
     "patching_rect": [
      20,
      518,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "temperature 0.98"
    }
   },
   {
    "box": {
     "id": "obj-38",
     "maxclass": "comment",
     "patching_rect": [
      200,
      518,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute temperature: top-level sampling temperature, (0, 2]"
    }
   },
   {
    "box": {
     "id": "obj-39",
     "maxclass": "message",
     "patching_rect": [
      20,
      542,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "hop_fraction 0.5"
    }
   },
   {
    "box": {
     "id": "obj-40",
     "maxclass": "comment",
     "patching_rect": [
      200,
      542,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute hop_fraction: window hop for every level, (0, 1] (0: the model's 0.5 0.5 0.125)"
    }
   },
   {
    "box": {
     "id": "obj-41",
     "maxclass": "message",
     "patching_rect": [
      20,
      566,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "n_samples 1"
    }
   },
   {
    "box": {
     "id": "obj-42",
     "maxclass": "comment",
     "patching_rect": [
      200,
      566,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute n_samples: variations sampled in one batch: the first in dst, the others in the buffers named by 'variations'"
    }
   },
   {
    "box": {
     "id": "obj-43",
     "maxclass": "message",
     "patching_rect": [
      20,
      590,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "seed 42"
    }
   },
   {
    "box": {
     "id": "obj-44",
     "maxclass": "comment",
     "patching_rect": [
      200,
      590,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute fixed seed; seed -1 = random"
    }
   },
   {
    "box": {
     "id": "obj-45",
     "maxclass": "message",
     "patching_rect": [
      20,
      614,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "preview 1"
    }
   },
   {
    "box": {
     "id": "obj-46",
     "maxclass": "comment",
     "patching_rect": [
      200,
      614,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute preview: send a top-level preview first when levels > 1"
    }
   },
   {
    "box": {
     "id": "obj-47",
     "maxclass": "message",
     "patching_rect": [
      20,
      638,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "stream 1"
    }
   },
   {
    "box": {
     "id": "obj-48",
     "maxclass": "comment",
     "patching_rect": [
      200,
      638,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute stream: write the result into dst while it is made (info: chunk <start> <frames>)"
    }
   },
   {
    "box": {
     "id": "obj-49",
     "maxclass": "message",
     "patching_rect": [
      20,
      662,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "chain 3"
    }
   },
   {
    "box": {
     "id": "obj-50",
     "maxclass": "comment",
     "patching_rect": [
      200,
      662,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute chain: continue each result this many times, one job at a time, appending to dst (cancel or chain 0 stops)"
    }
   },
   {
    "box": {
     "id": "obj-51",
     "maxclass": "message",
     "patching_rect": [
      20,
      686,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "artist unknown"
    }
   },
   {
    "box": {
     "id": "obj-52",
     "maxclass": "comment",
     "patching_rect": [
      200,
      686,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute artist: an artist the model knows"
    }
   },
   {
    "box": {
     "id": "obj-53",
     "maxclass": "message",
     "patching_rect": [
      20,
      710,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "genre unknown"
    }
   },
   {
    "box": {
     "id": "obj-54",
     "maxclass": "comment",
     "patching_rect": [
      200,
      710,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute genre: a genre the model knows"
    }
   },
   {
    "box": {
     "id": "obj-55",
     "maxclass": "message",
     "patching_rect": [
      20,
      734,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "lyrics la la la"
    }
   },
   {
    "box": {
     "id": "obj-56",
     "maxclass": "comment",
     "patching_rect": [
      200,
      734,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute lyrics: lyrics conditioning"
    }
   },
   {
    "box": {
     "id": "obj-57",
     "maxclass": "message",
     "patching_rect": [
      20,
      758,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "host tcp://127.0.0.1:5557"
    }
   },
   {
    "box": {
     "id": "obj-58",
     "maxclass": "comment",
     "patching_rect": [
      200,
      758,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute host: endpoint of jukebox-host serve"
    }
   },
   {
    "box": {
     "id": "obj-59",
     "maxclass": "message",
     "patching_rect": [
      20,
      782,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "autostart 1"
    }
   },
   {
    "box": {
     "id": "obj-60",
     "maxclass": "comment",
     "patching_rect": [
      200,
      782,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute autostart: start the host (hostcmd) when it does not answer"
    }
   },
   {
    "box": {
     "id": "obj-61",
     "maxclass": "message",
     "patching_rect": [
      20,
      806,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "hostcmd jukebox-host"
    }
   },
   {
    "box": {
     "id": "obj-62",
     "maxclass": "comment",
     "patching_rect": [
      200,
      806,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute hostcmd: the command autostart runs: give its full path when Max or Pd starts without your shell's PATH (e.g. /Users/me/jukebox/.venv/bin/jukebox-host)"
    }
   },
   {
    "box": {
     "id": "obj-63",
     "maxclass": "message",
     "patching_rect": [
      20,
      830,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "timeout 5"
    }
   },
   {
    "box": {
     "id": "obj-64",
     "maxclass": "comment",
     "patching_rect": [
      200,
      830,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute timeout: seconds of silence before 'host not responding'"
    }
   },
   {
    "box": {
     "id": "obj-65",
     "maxclass": "message",
     "patching_rect": [
      20,
      854,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "server_key keys/server.key"
    }
   },
   {
    "box": {
     "id": "obj-66",
     "maxclass": "comment",
     "patching_rect": [
      200,
      854,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute server_key: CURVE: the host's public key file (jukebox-host keygen keys server)"
    }
   },
   {
    "box": {
     "id": "obj-67",
     "maxclass": "message",
     "patching_rect": [
      20,
      878,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "client_key keys/client.key_secret"
    }
   },
   {
    "box": {
     "id": "obj-68",
     "maxclass": "comment",
     "patching_rect": [
      200,
      878,
      420,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "attribute client_key: CURVE: this client's secret key file; CURVE is on while both are set"
    }
   },
   {
    "box": {
     "id": "obj-69",
     "maxclass": "button",
     "patching_rect": [
      20,
      984,
      24,
      22
     ],
     "numinlets": 1,
     "numoutlets": 1,
     "outlettype": [
      "bang"
     ]
    }
   },
   {
    "box": {
     "id": "obj-70",
     "maxclass": "flonum",
     "patching_rect": [
      80,
      984,
      60,
      22
     ],
     "numinlets": 1,
     "numoutlets": 2,
     "outlettype": [
      "",
      "bang"
     ]
    }
   },
   {
    "box": {
     "id": "obj-71",
     "maxclass": "newobj",
     "patching_rect": [
      200,
      984,
      160,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "print jukebox-info"
    }
   },
   {
    "box": {
     "id": "obj-72",
     "maxclass": "newobj",
     "patching_rect": [
      620,
      700,
      200,
      22
     ],
     "numinlets": 1,
     "numoutlets": 2,
     "outlettype": [
      "float",
      "bang"
     ],
     "text": "buffer~ jbx-src 10000"
    }
   },
   {
    "box": {
     "id": "obj-73",
     "maxclass": "newobj",
     "patching_rect": [
      620,
      740,
      200,
      22
     ],
     "numinlets": 1,
     "numoutlets": 2,
     "outlettype": [
      "float",
      "bang"
     ],
     "text": "buffer~ jbx-dst"
    }
   },
   {
    "box": {
     "id": "obj-74",
     "maxclass": "message",
     "patching_rect": [
      620,
      660,
      160,
      22
     ],
     "numinlets": 2,
     "numoutlets": 1,
     "outlettype": [
      ""
     ],
     "text": "read"
    }
   },
   {
    "box": {
     "id": "obj-75",
     "maxclass": "comment",
     "patching_rect": [
      700,
      660,
      240,
      22
     ],
     "numinlets": 1,
     "numoutlets": 0,
     "text": "load a prompt into jbx-src"
    }
   }
  ],
  "lines": [
   {
    "patchline": {
     "source": [
      "obj-7",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-9",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-11",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-13",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-15",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-17",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-19",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-21",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-23",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-25",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-27",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-29",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-31",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-33",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-35",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-37",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-39",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-41",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-43",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-45",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-47",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-49",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-51",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-53",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-55",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-57",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-59",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-61",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-63",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-65",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-67",
      0
     ],
     "destination": [
      "obj-6",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-6",
      0
     ],
     "destination": [
      "obj-69",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-6",
      1
     ],
     "destination": [
      "obj-70",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-6",
      2
     ],
     "destination": [
      "obj-71",
      0
     ]
    }
   },
   {
    "patchline": {
     "source": [
      "obj-74",
      0
     ],
     "destination": [
      "obj-72",
      0
     ]
    }
   }
  ]
 }
}
