# libzmq (with CURVE) and msgpack-c for the core, found one of three ways; the result is two targets to link,
# JBX_ZMQ and JBX_MSGPACK.
#  - default: the system's (pkg-config's libzmq, CMake's msgpack-c): Debian, Homebrew, a developer's build;
#  - JBX_DEPS_PREFIX: static libzmq and msgpack-c built into one prefix (package/tools/release builds one per
#    platform from Debian's source packages), linked into the externals so a Max package or Pd folder needs
#    nothing installed;
#  - JBX_DEPS_HEADERS: a folder with zmq.h and msgpack.h only: a compile-only check (the Windows cross-check in
#    .ci/run), in which nothing is linked.
set(JBX_DEPS_PREFIX "" CACHE PATH "Prefix holding static libzmq and msgpack-c (release builds)")
set(JBX_DEPS_HEADERS "" CACHE PATH "Folder with zmq.h and msgpack.h for a compile-only build (nothing linked)")
set(JBX_COMPILE_ONLY OFF)

if(JBX_DEPS_HEADERS)
  add_library(jbx_deps_headers INTERFACE)
  target_include_directories(jbx_deps_headers SYSTEM INTERFACE ${JBX_DEPS_HEADERS})
  set(JBX_ZMQ jbx_deps_headers)
  set(JBX_MSGPACK jbx_deps_headers)
  set(JBX_COMPILE_ONLY ON)
elseif(JBX_DEPS_PREFIX)
  # Static libraries by their file names, whatever the platform calls them.
  # libzmq names its static library by toolset on Windows (libzmq-v143-mt-s-4_3_5.lib): take whichever is there.
  file(GLOB JBX_ZMQ_LIB ${JBX_DEPS_PREFIX}/lib/libzmq.a ${JBX_DEPS_PREFIX}/lib/libzmq*-s-*.lib)
  if(NOT JBX_ZMQ_LIB)
    message(FATAL_ERROR "no static libzmq in ${JBX_DEPS_PREFIX}/lib (package/tools/release makes one)")
  endif()
  list(GET JBX_ZMQ_LIB 0 JBX_ZMQ_LIB)
  # libzmq's CURVE: its bundled TweetNaCl (as the release builds it), or libsodium when built with it.
  find_library(JBX_SODIUM_LIB NAMES libsodium.a sodium libsodium PATHS ${JBX_DEPS_PREFIX}/lib NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  find_library(JBX_MSGPACK_LIB NAMES libmsgpack-c.a libmsgpackc.a msgpack-c msgpackc PATHS ${JBX_DEPS_PREFIX}/lib
               NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH REQUIRED)
  add_library(jbx_zmq_static INTERFACE)
  target_include_directories(jbx_zmq_static INTERFACE ${JBX_DEPS_PREFIX}/include)
  target_compile_definitions(jbx_zmq_static INTERFACE ZMQ_STATIC)
  target_link_libraries(jbx_zmq_static INTERFACE ${JBX_ZMQ_LIB})
  if(JBX_SODIUM_LIB)
    target_link_libraries(jbx_zmq_static INTERFACE ${JBX_SODIUM_LIB})
  endif()
  # libzmq is C++: its runtime goes in statically too (mingw: -static on the module, see jbx_static_runtime).
  if(WIN32)
    target_link_libraries(jbx_zmq_static INTERFACE ws2_32 iphlpapi advapi32 stdc++)
  elseif(APPLE)
    target_link_libraries(jbx_zmq_static INTERFACE c++)
  else()
    target_link_libraries(jbx_zmq_static INTERFACE -Wl,-Bstatic stdc++ -Wl,-Bdynamic pthread)
  endif()
  add_library(jbx_msgpack_static INTERFACE)
  target_include_directories(jbx_msgpack_static INTERFACE ${JBX_DEPS_PREFIX}/include)
  target_link_libraries(jbx_msgpack_static INTERFACE ${JBX_MSGPACK_LIB})
  set(JBX_ZMQ jbx_zmq_static)
  set(JBX_MSGPACK jbx_msgpack_static)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(ZMQ REQUIRED IMPORTED_TARGET libzmq)
  set(JBX_ZMQ PkgConfig::ZMQ)
  # msgpack-c < 6 calls its C target msgpackc, >= 6 msgpack-c.
  find_package(msgpack-c QUIET)
  if(TARGET msgpack-c)
    set(JBX_MSGPACK msgpack-c)
  else()
    find_package(msgpack REQUIRED)
    set(JBX_MSGPACK msgpackc)
  endif()
endif()
