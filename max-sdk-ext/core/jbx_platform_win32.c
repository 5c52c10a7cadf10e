/* jbx_platform.h on Windows: QueryPerformanceCounter and CreateProcessW (no shell: the command line is built
 * here, the endpoint quoted as one argument). Windows keeps no zombies: the process handle is closed at once. */
#include "jbx_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

double jbx_now(void)
{
    LARGE_INTEGER count, frequency;
    if (!QueryPerformanceFrequency(&frequency) || !QueryPerformanceCounter(&count) || frequency.QuadPart == 0)
        return 0.0;
    return (double)count.QuadPart / (double)frequency.QuadPart;
}

/* UTF-8 (what Max and Pd hand out) to a new UTF-16 string; NULL when it does not convert. */
static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

/* The log file, opened for appending and inheritable, so the host's output lands there. */
static HANDLE open_log(void)
{
    wchar_t path[MAX_PATH + 64];
    DWORD n = GetTempPathW(MAX_PATH, path);
    if (n == 0 || n > MAX_PATH) return INVALID_HANDLE_VALUE;
    wcscat(path, L"jukebox-host-autostart.log");
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    return CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_ALWAYS,
                       FILE_ATTRIBUTE_NORMAL, NULL);
}

int jbx_spawn_host(const char *program, const char *endpoint, jbx_child *child, char *err, size_t errlen)
{
    *child = 0;
    if (strchr(endpoint, '"') != NULL) { /* it could end the quoted argument */
        snprintf(err, errlen, "cannot start the host for endpoint '%s': it holds a quote", endpoint);
        return -1;
    }
    size_t len = strlen(program) + strlen(endpoint) + 32;
    char *line = malloc(len);
    if (!line) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(line, len, "%s serve --endpoint \"%s\"", program, endpoint);
    wchar_t *wline = widen(line);
    free(line);
    if (!wline) {
        snprintf(err, errlen, "cannot start '%s': not valid UTF-8, or out of memory", program);
        return -1;
    }
    HANDLE log = open_log();
    STARTUPINFOW start;
    memset(&start, 0, sizeof start);
    start.cb = sizeof start;
    if (log != INVALID_HANDLE_VALUE) {
        start.dwFlags = STARTF_USESTDHANDLES;
        start.hStdInput = NULL;
        start.hStdOutput = log;
        start.hStdError = log;
    }
    PROCESS_INFORMATION process;
    BOOL ok = CreateProcessW(NULL, wline, NULL, NULL, log != INVALID_HANDLE_VALUE, CREATE_NO_WINDOW | DETACHED_PROCESS,
                             NULL, NULL, &start, &process);
    DWORD code = ok ? 0 : GetLastError();
    free(wline);
    if (log != INVALID_HANDLE_VALUE) CloseHandle(log);
    if (!ok) {
        snprintf(err, errlen, "cannot start '%s' (Windows error %lu): is it on PATH? Set the host command to the "
                 "full path of jukebox-host.exe", program, (unsigned long)code);
        return -1;
    }
    CloseHandle(process.hThread);
    CloseHandle(process.hProcess);
    return 0;
}

int jbx_spawn_reap(jbx_child child)
{
    (void)child;
    return 1;
}
