# Loaded after CMake's Darwin rules (CMAKE_USER_MAKE_RULES_OVERRIDE): MODULE targets are linked as MH_BUNDLEs by
# ld64.lld through the ld-bundle wrapper, which takes the same -Wl, options Apple's clang would.
set(CMAKE_C_CREATE_SHARED_MODULE "${JBX_ZIG_WRAPPERS}/ld-bundle <LINK_FLAGS> -o <TARGET> <OBJECTS> <LINK_LIBRARIES>")
