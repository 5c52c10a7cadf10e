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
   900
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
     "maxclass": "newobj",
     "patching_rect": [
      20,
      10,
      140,
      22
     ],
     "numinlets": 0,
     "numoutlets": 0,
     "text": "p basic",
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
       900
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
         "text": "Outlets: 1 bang when dst holds the result, 2 progress 0..1, 3 info: state idle|queued|running|done / error <code> <message> / preview / pong / status ... / host lost|back"
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
         "maxclass": "comment",
         "patching_rect": [
          20,
          156,
          600,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "1 record a phrase  2 bang jukebox~  3 it plays when the left outlet bangs"
        }
       },
       {
        "box": {
         "id": "obj-7",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          186,
          160,
          22
         ],
         "numinlets": 1,
         "numoutlets": 1,
         "outlettype": [
          "signal"
         ],
         "text": "adc~ 1"
        }
       },
       {
        "box": {
         "id": "obj-8",
         "maxclass": "message",
         "patching_rect": [
          200,
          186,
          30,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          ""
         ],
         "text": "1"
        }
       },
       {
        "box": {
         "id": "obj-9",
         "maxclass": "message",
         "patching_rect": [
          240,
          186,
          30,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          ""
         ],
         "text": "0"
        }
       },
       {
        "box": {
         "id": "obj-10",
         "maxclass": "comment",
         "patching_rect": [
          280,
          186,
          200,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "record on / off"
        }
       },
       {
        "box": {
         "id": "obj-11",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          220,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          "signal"
         ],
         "text": "record~ jbx-src"
        }
       },
       {
        "box": {
         "id": "obj-12",
         "maxclass": "message",
         "patching_rect": [
          20,
          260,
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
         "id": "obj-13",
         "maxclass": "comment",
         "patching_rect": [
          200,
          260,
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
         "id": "obj-14",
         "maxclass": "message",
         "patching_rect": [
          20,
          284,
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
         "id": "obj-15",
         "maxclass": "comment",
         "patching_rect": [
          200,
          284,
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
         "id": "obj-16",
         "maxclass": "message",
         "patching_rect": [
          20,
          308,
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
         "id": "obj-17",
         "maxclass": "comment",
         "patching_rect": [
          200,
          308,
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
         "id": "obj-18",
         "maxclass": "message",
         "patching_rect": [
          20,
          332,
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
         "id": "obj-19",
         "maxclass": "comment",
         "patching_rect": [
          200,
          332,
          420,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "a model the host serves"
        }
       },
       {
        "box": {
         "id": "obj-20",
         "maxclass": "message",
         "patching_rect": [
          20,
          356,
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
         "id": "obj-21",
         "maxclass": "comment",
         "patching_rect": [
          200,
          356,
          420,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "seconds of the result, the phrase included"
        }
       },
       {
        "box": {
         "id": "obj-22",
         "maxclass": "message",
         "patching_rect": [
          20,
          380,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          ""
         ],
         "text": "levels 1"
        }
       },
       {
        "box": {
         "id": "obj-23",
         "maxclass": "comment",
         "patching_rect": [
          200,
          380,
          420,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "fast, rough: 3 = full quality"
        }
       },
       {
        "box": {
         "id": "obj-24",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          414,
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
         "id": "obj-25",
         "maxclass": "message",
         "patching_rect": [
          20,
          454,
          50,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          ""
         ],
         "text": "start"
        }
       },
       {
        "box": {
         "id": "obj-26",
         "maxclass": "flonum",
         "patching_rect": [
          120,
          454,
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
         "id": "obj-27",
         "maxclass": "newobj",
         "patching_rect": [
          200,
          454,
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
         "id": "obj-28",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          488,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 2,
         "outlettype": [
          "signal",
          "bang"
         ],
         "text": "play~ jbx-dst"
        }
       },
       {
        "box": {
         "id": "obj-29",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          524,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 0,
         "text": "dac~"
        }
       },
       {
        "box": {
         "id": "obj-30",
         "maxclass": "newobj",
         "patching_rect": [
          620,
          186,
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
         "id": "obj-31",
         "maxclass": "newobj",
         "patching_rect": [
          620,
          220,
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
         "id": "obj-32",
         "maxclass": "newobj",
         "patching_rect": [
          620,
          254,
          200,
          22
         ],
         "numinlets": 1,
         "numoutlets": 2,
         "outlettype": [
          "float",
          "bang"
         ],
         "text": "buffer~ jbx-var2"
        }
       },
       {
        "box": {
         "id": "obj-33",
         "maxclass": "newobj",
         "patching_rect": [
          620,
          288,
          200,
          22
         ],
         "numinlets": 1,
         "numoutlets": 2,
         "outlettype": [
          "float",
          "bang"
         ],
         "text": "buffer~ jbx-var3"
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
          "obj-11",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-8",
          0
         ],
         "destination": [
          "obj-11",
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
          "obj-11",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-12",
          0
         ],
         "destination": [
          "obj-24",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-14",
          0
         ],
         "destination": [
          "obj-24",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-16",
          0
         ],
         "destination": [
          "obj-24",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-18",
          0
         ],
         "destination": [
          "obj-24",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-20",
          0
         ],
         "destination": [
          "obj-24",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-22",
          0
         ],
         "destination": [
          "obj-24",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-24",
          0
         ],
         "destination": [
          "obj-25",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-24",
          1
         ],
         "destination": [
          "obj-26",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-24",
          2
         ],
         "destination": [
          "obj-27",
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
          "obj-28",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-28",
          0
         ],
         "destination": [
          "obj-29",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-28",
          0
         ],
         "destination": [
          "obj-29",
          1
         ]
        }
       }
      ],
      "showontab": 1
     }
    }
   },
   {
    "box": {
     "id": "obj-2",
     "maxclass": "newobj",
     "patching_rect": [
      180,
      10,
      140,
      22
     ],
     "numinlets": 0,
     "numoutlets": 0,
     "text": "p settings",
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
       900
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
         "text": "What and how to generate: every setting of the Generation and Conditioning categories."
        }
       },
       {
        "box": {
         "id": "obj-2",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          450,
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
         "id": "obj-3",
         "maxclass": "message",
         "patching_rect": [
          20,
          50,
          240,
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
         "id": "obj-4",
         "maxclass": "comment",
         "patching_rect": [
          280,
          50,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "model: a model the host serves (tiny: the built-in test model; empty: the host's default)"
        }
       },
       {
        "box": {
         "id": "obj-5",
         "maxclass": "message",
         "patching_rect": [
          20,
          74,
          240,
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
         "id": "obj-6",
         "maxclass": "comment",
         "patching_rect": [
          280,
          74,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "mode: primed: continue the prompt; ancestral: no input; upsample: re-sample the lower levels; continue: extend the last result by length s from its exact codes"
        }
       },
       {
        "box": {
         "id": "obj-7",
         "maxclass": "message",
         "patching_rect": [
          20,
          98,
          240,
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
         "id": "obj-8",
         "maxclass": "comment",
         "patching_rect": [
          280,
          98,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "... or ancestral"
        }
       },
       {
        "box": {
         "id": "obj-9",
         "maxclass": "message",
         "patching_rect": [
          20,
          122,
          240,
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
         "id": "obj-10",
         "maxclass": "comment",
         "patching_rect": [
          280,
          122,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "... or upsample"
        }
       },
       {
        "box": {
         "id": "obj-11",
         "maxclass": "message",
         "patching_rect": [
          20,
          146,
          240,
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
         "id": "obj-12",
         "maxclass": "comment",
         "patching_rect": [
          280,
          146,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "... or continue"
        }
       },
       {
        "box": {
         "id": "obj-13",
         "maxclass": "message",
         "patching_rect": [
          20,
          170,
          240,
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
         "id": "obj-14",
         "maxclass": "comment",
         "patching_rect": [
          280,
          170,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "length: seconds of the result, prompt included (continue: the seconds it adds)"
        }
       },
       {
        "box": {
         "id": "obj-15",
         "maxclass": "message",
         "patching_rect": [
          20,
          194,
          240,
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
         "id": "obj-16",
         "maxclass": "comment",
         "patching_rect": [
          280,
          194,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "song_length: seconds of the whole song the result begins: labels it (OpenAI's total length)"
        }
       },
       {
        "box": {
         "id": "obj-17",
         "maxclass": "message",
         "patching_rect": [
          20,
          218,
          240,
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
         "id": "obj-18",
         "maxclass": "comment",
         "patching_rect": [
          280,
          218,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "prompt: seconds of the input used as prompt (0: all of it)"
        }
       },
       {
        "box": {
         "id": "obj-19",
         "maxclass": "message",
         "patching_rect": [
          20,
          242,
          240,
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
         "id": "obj-20",
         "maxclass": "comment",
         "patching_rect": [
          280,
          242,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "levels: 1: top level only, fast preview quality; 3: all levels, full quality (a preview first)"
        }
       },
       {
        "box": {
         "id": "obj-21",
         "maxclass": "message",
         "patching_rect": [
          20,
          266,
          240,
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
         "id": "obj-22",
         "maxclass": "comment",
         "patching_rect": [
          280,
          266,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "temperature: top-level sampling temperature, (0, 2]"
        }
       },
       {
        "box": {
         "id": "obj-23",
         "maxclass": "message",
         "patching_rect": [
          20,
          290,
          240,
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
         "id": "obj-24",
         "maxclass": "comment",
         "patching_rect": [
          280,
          290,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "hop_fraction: window hop for every level, (0, 1] (0: the model's 0.5 0.5 0.125)"
        }
       },
       {
        "box": {
         "id": "obj-25",
         "maxclass": "message",
         "patching_rect": [
          20,
          314,
          240,
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
         "id": "obj-26",
         "maxclass": "comment",
         "patching_rect": [
          280,
          314,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "seed: a fixed seed (-1, or 'seed' alone in Pd: random)"
        }
       },
       {
        "box": {
         "id": "obj-27",
         "maxclass": "message",
         "patching_rect": [
          20,
          338,
          240,
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
         "id": "obj-28",
         "maxclass": "comment",
         "patching_rect": [
          280,
          338,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "preview: send a top-level preview first when levels > 1"
        }
       },
       {
        "box": {
         "id": "obj-29",
         "maxclass": "message",
         "patching_rect": [
          20,
          362,
          240,
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
         "id": "obj-30",
         "maxclass": "comment",
         "patching_rect": [
          280,
          362,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "artist: an artist the model knows"
        }
       },
       {
        "box": {
         "id": "obj-31",
         "maxclass": "message",
         "patching_rect": [
          20,
          386,
          240,
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
         "id": "obj-32",
         "maxclass": "comment",
         "patching_rect": [
          280,
          386,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "genre: a genre the model knows"
        }
       },
       {
        "box": {
         "id": "obj-33",
         "maxclass": "message",
         "patching_rect": [
          20,
          410,
          240,
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
         "id": "obj-34",
         "maxclass": "comment",
         "patching_rect": [
          280,
          410,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "lyrics: lyrics conditioning"
        }
       },
       {
        "box": {
         "id": "obj-35",
         "maxclass": "newobj",
         "patching_rect": [
          200,
          490,
          160,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "print jukebox-info"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-3",
          0
         ],
         "destination": [
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-5",
          0
         ],
         "destination": [
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-7",
          0
         ],
         "destination": [
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-2",
          2
         ],
         "destination": [
          "obj-35",
          0
         ]
        }
       }
      ],
      "showontab": 1
     }
    }
   },
   {
    "box": {
     "id": "obj-3",
     "maxclass": "newobj",
     "patching_rect": [
      350,
      10,
      140,
      22
     ],
     "numinlets": 0,
     "numoutlets": 0,
     "text": "p variations_and_chain",
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
       900
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
         "text": "Several takes at once, audio while it is made, a piece that goes on by itself: chain appends each link to dst; cancel or chain 0 stops it."
        }
       },
       {
        "box": {
         "id": "obj-2",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          186,
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
         "id": "obj-3",
         "maxclass": "message",
         "patching_rect": [
          20,
          50,
          240,
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
         "id": "obj-4",
         "maxclass": "comment",
         "patching_rect": [
          280,
          50,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "n_samples: variations sampled in one batch: the first in dst, the others in the buffers named by 'variations'"
        }
       },
       {
        "box": {
         "id": "obj-5",
         "maxclass": "message",
         "patching_rect": [
          20,
          74,
          240,
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
         "id": "obj-6",
         "maxclass": "comment",
         "patching_rect": [
          280,
          74,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "stream: write the result into dst while it is made (info: chunk <start> <frames>, final <seconds> <rate>)"
        }
       },
       {
        "box": {
         "id": "obj-7",
         "maxclass": "message",
         "patching_rect": [
          20,
          98,
          240,
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
         "id": "obj-8",
         "maxclass": "comment",
         "patching_rect": [
          280,
          98,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "chain: continue each result this many times, one job at a time, appending to dst (cancel or chain 0 stops)"
        }
       },
       {
        "box": {
         "id": "obj-9",
         "maxclass": "message",
         "patching_rect": [
          20,
          122,
          240,
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
         "id": "obj-10",
         "maxclass": "comment",
         "patching_rect": [
          280,
          122,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "buffers for variations 2, 3 \u2026 (n_samples > 1)"
        }
       },
       {
        "box": {
         "id": "obj-11",
         "maxclass": "message",
         "patching_rect": [
          20,
          146,
          240,
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
         "id": "obj-12",
         "maxclass": "comment",
         "patching_rect": [
          280,
          146,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "stop the job and the chain"
        }
       },
       {
        "box": {
         "id": "obj-13",
         "maxclass": "newobj",
         "patching_rect": [
          200,
          226,
          160,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "print jukebox-info"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-3",
          0
         ],
         "destination": [
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-5",
          0
         ],
         "destination": [
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-7",
          0
         ],
         "destination": [
          "obj-2",
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
          "obj-2",
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
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-2",
          2
         ],
         "destination": [
          "obj-13",
          0
         ]
        }
       }
      ],
      "showontab": 1
     }
    }
   },
   {
    "box": {
     "id": "obj-4",
     "maxclass": "newobj",
     "patching_rect": [
      520,
      10,
      140,
      22
     ],
     "numinlets": 0,
     "numoutlets": 0,
     "text": "p remote_host",
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
       900
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
         "text": "Which host, starting it, CURVE keys for a host on another machine."
        }
       },
       {
        "box": {
         "id": "obj-2",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          258,
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
         "id": "obj-3",
         "maxclass": "message",
         "patching_rect": [
          20,
          50,
          240,
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
         "id": "obj-4",
         "maxclass": "comment",
         "patching_rect": [
          280,
          50,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "host: endpoint of jukebox-host serve"
        }
       },
       {
        "box": {
         "id": "obj-5",
         "maxclass": "message",
         "patching_rect": [
          20,
          74,
          240,
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
         "id": "obj-6",
         "maxclass": "comment",
         "patching_rect": [
          280,
          74,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "autostart: start the host (hostcmd) when it does not answer"
        }
       },
       {
        "box": {
         "id": "obj-7",
         "maxclass": "message",
         "patching_rect": [
          20,
          98,
          240,
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
         "id": "obj-8",
         "maxclass": "comment",
         "patching_rect": [
          280,
          98,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "hostcmd: the command autostart runs: give its full path when Max or Pd starts without your shell's PATH (e.g. /Users/me/jukebox/.venv/bin/jukebox-host)"
        }
       },
       {
        "box": {
         "id": "obj-9",
         "maxclass": "message",
         "patching_rect": [
          20,
          122,
          240,
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
         "id": "obj-10",
         "maxclass": "comment",
         "patching_rect": [
          280,
          122,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "timeout: seconds of silence before 'host not responding'"
        }
       },
       {
        "box": {
         "id": "obj-11",
         "maxclass": "message",
         "patching_rect": [
          20,
          146,
          240,
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
         "id": "obj-12",
         "maxclass": "comment",
         "patching_rect": [
          280,
          146,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "server_key: CURVE: the host's public key file (jukebox-host keygen keys server)"
        }
       },
       {
        "box": {
         "id": "obj-13",
         "maxclass": "message",
         "patching_rect": [
          20,
          170,
          240,
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
         "id": "obj-14",
         "maxclass": "comment",
         "patching_rect": [
          280,
          170,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "client_key: CURVE: this client's secret key file; CURVE is on while both are set"
        }
       },
       {
        "box": {
         "id": "obj-15",
         "maxclass": "message",
         "patching_rect": [
          20,
          194,
          240,
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
         "id": "obj-16",
         "maxclass": "comment",
         "patching_rect": [
          280,
          194,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "is the host alive? -> info: pong <time>"
        }
       },
       {
        "box": {
         "id": "obj-17",
         "maxclass": "message",
         "patching_rect": [
          20,
          218,
          240,
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
         "id": "obj-18",
         "maxclass": "comment",
         "patching_rect": [
          280,
          218,
          680,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "host status -> info: status device .. queue .. running .. mine .. models .."
        }
       },
       {
        "box": {
         "id": "obj-19",
         "maxclass": "newobj",
         "patching_rect": [
          200,
          298,
          160,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "print jukebox-info"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-3",
          0
         ],
         "destination": [
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-5",
          0
         ],
         "destination": [
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-7",
          0
         ],
         "destination": [
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
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
          "obj-2",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-2",
          2
         ],
         "destination": [
          "obj-19",
          0
         ]
        }
       }
      ],
      "showontab": 1
     }
    }
   },
   {
    "box": {
     "id": "obj-5",
     "maxclass": "newobj",
     "patching_rect": [
      690,
      10,
      140,
      22
     ],
     "numinlets": 0,
     "numoutlets": 0,
     "text": "p play_while_made",
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
       900
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
         "text": "Play while it is made: with stream 1 each stretch lands in dst as soon as it is final, and 'final <seconds> <rate>' says how much exists and how many seconds the host makes per second. Playback from the top never catches up with the writing once length - seconds <= length * rate: it starts then, once per job (20 is the length set here)."
        }
       },
       {
        "box": {
         "id": "obj-2",
         "maxclass": "message",
         "patching_rect": [
          20,
          70,
          340,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          ""
         ],
         "text": "stream 1, mode ancestral, levels 3, length 20, bang"
        }
       },
       {
        "box": {
         "id": "obj-3",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          110,
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
         "id": "obj-4",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          150,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 2,
         "outlettype": [
          "",
          ""
         ],
         "text": "route final"
        }
       },
       {
        "box": {
         "id": "obj-5",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          180,
          260,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          ""
         ],
         "text": "expr $f2 > 0 && 20 - $f1 <= 20 * $f2"
        }
       },
       {
        "box": {
         "id": "obj-6",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          210,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 2,
         "outlettype": [
          "bang",
          ""
         ],
         "text": "sel 1"
        }
       },
       {
        "box": {
         "id": "obj-7",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          240,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          "bang"
         ],
         "text": "onebang"
        }
       },
       {
        "box": {
         "id": "obj-8",
         "maxclass": "comment",
         "patching_rect": [
          200,
          240,
          300,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "once per job: a new job arms it again"
        }
       },
       {
        "box": {
         "id": "obj-9",
         "maxclass": "message",
         "patching_rect": [
          20,
          270,
          50,
          22
         ],
         "numinlets": 2,
         "numoutlets": 1,
         "outlettype": [
          ""
         ],
         "text": "start"
        }
       },
       {
        "box": {
         "id": "obj-10",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          300,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 2,
         "outlettype": [
          "signal",
          "bang"
         ],
         "text": "play~ jbx-dst"
        }
       },
       {
        "box": {
         "id": "obj-11",
         "maxclass": "newobj",
         "patching_rect": [
          20,
          340,
          160,
          22
         ],
         "numinlets": 2,
         "numoutlets": 0,
         "text": "dac~"
        }
       },
       {
        "box": {
         "id": "obj-12",
         "maxclass": "newobj",
         "patching_rect": [
          360,
          150,
          160,
          22
         ],
         "numinlets": 1,
         "numoutlets": 0,
         "text": "print jukebox-info"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-2",
          0
         ],
         "destination": [
          "obj-3",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-3",
          2
         ],
         "destination": [
          "obj-4",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-4",
          0
         ],
         "destination": [
          "obj-5",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-5",
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
          "obj-7",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-2",
          0
         ],
         "destination": [
          "obj-7",
          1
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-7",
          0
         ],
         "destination": [
          "obj-9",
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
          "obj-10",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-10",
          0
         ],
         "destination": [
          "obj-11",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-10",
          0
         ],
         "destination": [
          "obj-11",
          1
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-3",
          2
         ],
         "destination": [
          "obj-12",
          0
         ]
        }
       }
      ],
      "showontab": 1
     }
    }
   }
  ],
  "lines": []
 }
}
