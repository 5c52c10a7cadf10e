/* The settings table as data (see jbx_settings.h). */
#include "jbx_settings.h"

#include <string.h>

const jbx_setting jbx_settings[JBX_N_SETTINGS] = {
#define JBX_SETTING_ROW(name, kind, where, lo, hi, fallback, choices, category, example, help) \
    {#name, JBX_##kind, JBX_##where, lo, hi, fallback, choices, category, example, help},
    JBX_SETTINGS(JBX_SETTING_ROW)
#undef JBX_SETTING_ROW
};

int jbx_setting_id(const char *name)
{
    for (int id = 0; name && id < JBX_N_SETTINGS; id++)
        if (strcmp(jbx_settings[id].name, name) == 0) return id;
    return -1;
}

int jbx_setting_is_text(int id)
{
    jbx_kind k = jbx_settings[id].kind;
    return k == JBX_TEXT || k == JBX_CHOICE || k == JBX_FILE;
}
