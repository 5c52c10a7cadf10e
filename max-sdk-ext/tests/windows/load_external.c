/* Loads a Max external as Max does on Windows, LoadLibrary then ext_main, beside the stub MaxAPI.dll and
 * MaxAudio.dll that tests/release generates from the external's import table (every function it imports, one
 * stub each). Run under wine. Exits 0 when ext_main ran to the end and registered the class "jukebox~". */
#include <stdio.h>
#include <string.h>
#include <windows.h>

typedef void (*entry_fn)(void *);
typedef const char *(*report_fn)(void);

static FARPROC symbol(HMODULE module, const char *name)
{
    return module ? GetProcAddress(module, name) : NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: load_external EXTERNAL.mxe64\n");
        return 2;
    }
    HMODULE external = LoadLibraryA(argv[1]);
    if (!external) {
        printf("LoadLibrary(%s) failed: error %lu\n", argv[1], (unsigned long)GetLastError());
        return 1;
    }
    FARPROC entry = symbol(external, "ext_main");
    if (!entry) {
        printf("no ext_main exported\n");
        return 1;
    }
    ((entry_fn)(void (*)(void))entry)(NULL);
    FARPROC report = symbol(GetModuleHandleA("MaxAPI.dll"), "stub_registered_class");
    const char *registered = report ? ((report_fn)(void (*)(void))report)() : "(no stub MaxAPI.dll loaded)";
    printf("ext_main returned; class registered: %s\n", registered);
    return strcmp(registered, "jukebox~") == 0 ? 0 : 1;
}
