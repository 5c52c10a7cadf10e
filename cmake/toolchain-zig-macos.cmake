# Cross-compiling for macOS from Linux with Zig's clang and libc++ (package/tools/release makes the wrappers):
#   -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-zig-macos.cmake -DJBX_ZIG_WRAPPERS=<folder> -DJBX_MACOS_ARCH=arm64
#   -DJBX_MACOS_MIN=11.0
# Modules (the externals) are linked by the folder's ld-bundle (ld64.lld): Zig's linker cannot make a bundle.
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR ${JBX_MACOS_ARCH})
set(CMAKE_C_COMPILER ${JBX_ZIG_WRAPPERS}/cc)
set(CMAKE_CXX_COMPILER ${JBX_ZIG_WRAPPERS}/c++)
set(CMAKE_AR ${JBX_ZIG_WRAPPERS}/ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${JBX_ZIG_WRAPPERS}/ranlib CACHE FILEPATH "")
# No Xcode, no SDK: Zig brings the headers; CMake must not add -isysroot or -arch.
set(CMAKE_OSX_SYSROOT "" CACHE PATH "")
set(CMAKE_OSX_ARCHITECTURES "" CACHE STRING "")
set(CMAKE_OSX_DEPLOYMENT_TARGET "" CACHE STRING "")
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES JBX_ZIG_WRAPPERS JBX_MACOS_ARCH JBX_MACOS_MIN)
set(CMAKE_USER_MAKE_RULES_OVERRIDE ${CMAKE_CURRENT_LIST_DIR}/zig-macos-link-rules.cmake)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
