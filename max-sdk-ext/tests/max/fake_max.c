/* Fake Max runtime; see fake_max.h. Single-threaded on purpose. */
#define _POSIX_C_SOURCE 200809L
#include "fake_max.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext_buffer.h"
#include "ext_systhread.h"

#define MAGIC 0x4a42584d
enum { K_CLASS = 1, K_ATTR, K_CLOCK, K_QELEM, K_OUTLET, K_BUFREF, K_BUFFER, K_OBJECT };

typedef struct hdr { int magic, kind; } hdr;

typedef struct fmethod { char name[64]; method m; int type; } fmethod;
typedef struct fattr {
    hdr h;
    char name[64];
    t_symbol *type;
    long offset;
    int clip;
    double min, max;
    method mget, mset; /* attribute_new's accessors (then no offset) */
} fattr;
typedef struct fclass {
    hdr h;
    char name[64];
    method mnew, mfree;
    long size;
    fmethod methods[64];
    int nmethods;
    fattr *attrs[64];
    int nattrs;
} fclass;
typedef struct fclock { hdr h; void *obj; method fn; double due; int set; } fclock;
typedef struct foutlet { hdr h; void *owner; int index; } foutlet;
typedef struct fbufref { hdr h; t_symbol *name; } fbufref;
typedef struct fbuffer { hdr h; char name[64]; long frames, nch; double sr; float *data; int locked, editing; } fbuffer;
typedef struct fobject { hdr h; void *x; fclass *c; int noutlets; } fobject;
typedef struct fdefer { void *ob; method fn; t_symbol *s; short argc; t_atom argv[16]; } fdefer;

/* registries (a test program: fixed sizes, checked) */
static fclass *classes[8];
static int nclasses;
static fclock *clocks[64];
static int nclocks;
static fbuffer *buffers[16];
static int nbuffers;
static fobject *objects[16];
static int nobjects;
static fdefer deferred[64];
static int ndeferred;
static int main_thread = 1;
static char logbuf[1 << 20];
static size_t loglen;
static void *allocs[256]; /* outlets, attrs, refs: freed at shutdown */
static int nallocs;

static void fail(const char *what)
{
    fprintf(stderr, "fake_max: %s\n", what);
    abort();
}

static void *fake_alloc(size_t size, int kind)
{
    hdr *h = calloc(1, size);
    if (!h) fail("out of memory");
    h->magic = MAGIC;
    h->kind = kind;
    return h;
}

static void keep(void *p)
{
    if (nallocs == 256) fail("too many allocations");
    allocs[nallocs++] = p;
}

static void logf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
    va_end(ap);
    if (n > 0 && loglen + (size_t)n < sizeof logbuf) loglen += (size_t)n;
}

const char *fake_log(void) { return logbuf; }
void fake_log_clear(void) { loglen = 0; logbuf[0] = '\0'; }
void fake_set_main_thread(int on) { main_thread = on; }
int fake_deferred_count(void) { return ndeferred; }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- symbols and atoms ---- */

typedef struct symnode { t_symbol sym; struct symnode *next; } symnode;
static symnode *symtab;

t_symbol *gensym(C74_CONST char *s)
{
    for (symnode *n = symtab; n; n = n->next)
        if (strcmp(n->sym.s_name, s) == 0) return &n->sym;
    symnode *n = calloc(1, sizeof *n);
    if (!n || !(n->sym.s_name = strdup(s))) fail("out of memory");
    n->next = symtab;
    symtab = n;
    return &n->sym;
}

t_symbol *gensym_tr(const char *s) { return gensym(s); }

t_max_err atom_setsym(t_atom *a, t_symbol *b) { a->a_type = A_SYM; a->a_w.w_sym = b; return 0; }
t_max_err atom_setlong(t_atom *a, t_atom_long b) { a->a_type = A_LONG; a->a_w.w_long = b; return 0; }
t_max_err atom_setfloat(t_atom *a, double b) { a->a_type = A_FLOAT; a->a_w.w_float = b; return 0; }
long atom_gettype(const t_atom *a) { return a->a_type; }
t_symbol *atom_getsym(const t_atom *a) { return a->a_type == A_SYM ? a->a_w.w_sym : gensym(""); }

static double atom_num(const t_atom *a)
{
    return a->a_type == A_LONG ? (double)a->a_w.w_long : a->a_type == A_FLOAT ? a->a_w.w_float : 0.0;
}

static void log_atoms(short ac, const t_atom *av)
{
    for (short i = 0; i < ac; i++) {
        if (av[i].a_type == A_SYM) logf_(" %s", av[i].a_w.w_sym->s_name);
        else if (av[i].a_type == A_LONG) logf_(" %lld", (long long)av[i].a_w.w_long);
        else logf_(" %g", av[i].a_w.w_float);
    }
}

/* ---- console ---- */

#define CONSOLE(prefix)                                  \
    do {                                                 \
        char line[2048];                                 \
        va_list ap;                                      \
        va_start(ap, s);                                 \
        vsnprintf(line, sizeof line, s, ap);             \
        va_end(ap);                                      \
        logf_("%s%s\n", prefix, line);                   \
        fprintf(stderr, "%s%s\n", prefix, line);         \
    } while (0)

void post(C74_CONST char *s, ...) { CONSOLE("post: "); }
void object_post(t_object *x, C74_CONST char *s, ...) { (void)x; CONSOLE("post: "); }
void object_warn(t_object *x, C74_CONST char *s, ...) { (void)x; CONSOLE("warning: "); }
void object_error(t_object *x, C74_CONST char *s, ...) { (void)x; CONSOLE("error: "); }

/* ---- classes, attributes, objects ---- */

t_class *class_new(C74_CONST char *name, C74_CONST method mnew, C74_CONST method mfree, long size,
                   C74_CONST method mmenu, short type, ...)
{
    (void)mmenu;
    if (type != A_GIMME) fail("class_new: only A_GIMME constructors are faked");
    if (nclasses == 8) fail("too many classes");
    fclass *c = fake_alloc(sizeof *c, K_CLASS);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->mnew = mnew;
    c->mfree = mfree;
    c->size = size;
    classes[nclasses++] = c;
    return (t_class *)c;
}

t_max_err class_addmethod(t_class *cl, C74_CONST method m, C74_CONST char *name, ...)
{
    fclass *c = (fclass *)cl;
    va_list ap;
    va_start(ap, name);
    int type = va_arg(ap, int);
    va_end(ap);
    if (c->nmethods == 64) fail("too many methods");
    snprintf(c->methods[c->nmethods].name, 64, "%s", name);
    c->methods[c->nmethods].m = m;
    c->methods[c->nmethods].type = type;
    c->nmethods++;
    return 0;
}

t_max_err class_register(t_symbol *name_space, t_class *c) { (void)name_space; (void)c; return 0; }

t_object *attr_offset_new(C74_CONST char *name, C74_CONST t_symbol *type, long flags,
                          C74_CONST method mget, C74_CONST method mset, long offset)
{
    (void)flags;
    if (mget || mset) fail("attr_offset_new: custom accessors are not faked");
    fattr *a = fake_alloc(sizeof *a, K_ATTR);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->type = (t_symbol *)type;
    a->offset = offset;
    return (t_object *)a;
}

t_atom_float atom_getfloat(const t_atom *a) { return atom_num(a); }
char *str_tr(const char *s) { return (char *)s; } /* no translations here */

t_object *attribute_new(C74_CONST char *name, t_symbol *type, long flags, method mget, method mset)
{
    (void)flags;
    if (!mget || !mset) fail("attribute_new: the fake needs both accessors");
    fattr *a = fake_alloc(sizeof *a, K_ATTR);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->type = type;
    a->mget = mget;
    a->mset = mset;
    return (t_object *)a;
}

t_max_err atom_alloc(long *ac, t_atom **av, char *alloc)
{
    *alloc = 0;
    if (*ac < 1 || !*av) {
        *av = calloc(1, sizeof **av);
        if (!*av) return MAX_ERR_OUT_OF_MEM;
        *ac = 1;
        *alloc = 1;
    }
    return MAX_ERR_NONE;
}

typedef t_max_err (*attr_setter)(void *x, void *attr, long ac, t_atom *av);
typedef t_max_err (*attr_getter)(void *x, void *attr, long *ac, t_atom **av);

t_max_err class_addattr(t_class *cl, t_object *attr)
{
    fclass *c = (fclass *)cl;
    if (c->nattrs == 64) fail("too many attributes");
    c->attrs[c->nattrs++] = (fattr *)attr;
    return 0;
}

void *class_attr_get(t_class *cl, t_symbol *name)
{
    fclass *c = (fclass *)cl;
    for (int i = 0; i < c->nattrs; i++)
        if (strcmp(c->attrs[i]->name, name->s_name) == 0) return c->attrs[i];
    fail("class_attr_get: no such attribute");
    return NULL;
}

t_max_err attr_addfilter_clip(void *x, double min, double max, long usemin, long usemax)
{
    fattr *a = x;
    a->clip = 1;
    a->min = usemin ? min : -1e300;
    a->max = usemax ? max : 1e300;
    return 0;
}

t_max_err class_attr_addattr_parse(t_class *c, C74_CONST char *attrname, C74_CONST char *attrname2,
                                   t_symbol *type, long flags, C74_CONST char *parsestr)
{
    (void)c; (void)attrname; (void)attrname2; (void)type; (void)flags; (void)parsestr;
    return 0;
}

t_max_err class_attr_addattr_format(t_class *c, C74_CONST char *attrname, C74_CONST char *attrname2,
                                    C74_CONST t_symbol *type, long flags, C74_CONST char *fmt, ...)
{
    (void)c; (void)attrname; (void)attrname2; (void)type; (void)flags; (void)fmt;
    return 0;
}

static fobject *find_object(void *x)
{
    for (int i = 0; i < nobjects; i++)
        if (objects[i] && objects[i]->x == x) return objects[i];
    return NULL;
}

void *object_alloc(t_class *cl)
{
    fclass *c = (fclass *)cl;
    if (nobjects == 16) fail("too many objects");
    fobject *o = fake_alloc(sizeof *o, K_OBJECT);
    o->x = calloc(1, (size_t)c->size);
    if (!o->x) fail("out of memory");
    o->c = c;
    objects[nobjects++] = o;
    return o->x;
}

long attr_args_offset(short ac, t_atom *av)
{
    for (short i = 0; i < ac; i++)
        if (av[i].a_type == A_SYM && av[i].a_w.w_sym->s_name[0] == '@') return i;
    return ac;
}

static void set_attr(fobject *o, const char *name, short ac, t_atom *av)
{
    fattr *a = NULL;
    for (int i = 0; i < o->c->nattrs; i++)
        if (strcmp(o->c->attrs[i]->name, name) == 0) a = o->c->attrs[i];
    if (!a) {
        logf_("error: no attribute %s\n", name);
        return;
    }
    if (a->mset) {
        ((attr_setter)a->mset)(o->x, a, ac, av);
        return;
    }
    if (ac < 1) return;
    char *field = (char *)o->x + a->offset;
    double v = atom_num(av);
    if (a->clip) v = v < a->min ? a->min : v > a->max ? a->max : v;
    if (a->type == gensym("symbol")) {
        t_symbol *s = av->a_type == A_SYM ? av->a_w.w_sym : gensym("");
        memcpy(field, &s, sizeof s);
    } else if (a->type == gensym("long")) {
        t_atom_long l = (t_atom_long)v;
        memcpy(field, &l, sizeof l);
    } else if (a->type == gensym("float64")) {
        memcpy(field, &v, sizeof v);
    } else {
        fail("set_attr: unfaked attribute type");
    }
}

const char *fake_get(void *x, const char *name)
{
    static char text[1024];
    fobject *o = find_object(x);
    if (!o) fail("fake_get: unknown object");
    for (int i = 0; i < o->c->nattrs; i++) {
        fattr *a = o->c->attrs[i];
        if (strcmp(a->name, name) != 0 || !a->mget) continue;
        long ac = 0;
        t_atom *av = NULL;
        ((attr_getter)a->mget)(o->x, a, &ac, &av);
        if (ac < 1 || !av) fail("fake_get: the getter gave nothing");
        if (av->a_type == A_SYM) snprintf(text, sizeof text, "%s", av->a_w.w_sym->s_name);
        else if (av->a_type == A_LONG) snprintf(text, sizeof text, "%lld", (long long)av->a_w.w_long);
        else snprintf(text, sizeof text, "%g", av->a_w.w_float);
        free(av);
        return text;
    }
    fail("fake_get: no such attribute with a getter");
    return NULL;
}

void attr_args_process(void *x, short ac, t_atom *av)
{
    fobject *o = find_object(x);
    if (!o) fail("attr_args_process: unknown object");
    for (short i = (short)attr_args_offset(ac, av); i < ac;) {
        const char *name = av[i].a_w.w_sym->s_name + 1;
        short j = (short)(i + 1);
        while (j < ac && !(av[j].a_type == A_SYM && av[j].a_w.w_sym->s_name[0] == '@')) j++;
        set_attr(o, name, (short)(j - i - 1), av + i + 1);
        i = j;
    }
}

/* ---- outlets ---- */

static void *new_outlet(void *owner)
{
    fobject *o = find_object(owner);
    if (!o) fail("outlet on an unknown object");
    foutlet *out = fake_alloc(sizeof *out, K_OUTLET);
    out->owner = owner;
    out->index = o->noutlets++;
    keep(out);
    return out;
}

void *outlet_new(void *x, C74_CONST char *s) { (void)s; return new_outlet(x); }
void *floatout(void *x) { return new_outlet(x); }
void *bangout(void *x) { return new_outlet(x); }

void *outlet_bang(t_outlet *x)
{
    logf_("out%d bang\n", ((foutlet *)x)->index);
    return NULL;
}

void *outlet_float(t_outlet *x, double f)
{
    logf_("out%d float %g\n", ((foutlet *)x)->index, f);
    return NULL;
}

void *outlet_anything(t_outlet *x, t_symbol *s, short ac, t_atom *av)
{
    logf_("out%d %s", ((foutlet *)x)->index, s->s_name);
    log_atoms(ac, av);
    logf_("\n");
    return NULL;
}

/* ---- scheduler ---- */

t_clock *clock_new(void *obj, method fn)
{
    if (nclocks == 64) fail("too many clocks/qelems");
    fclock *c = fake_alloc(sizeof *c, K_CLOCK);
    c->obj = obj;
    c->fn = fn;
    clocks[nclocks++] = c;
    return (t_clock *)c;
}

void clock_fdelay(t_clock *x, double ms)
{
    fclock *c = (fclock *)x;
    if (!main_thread) fail("clock_fdelay called off the main thread in this fake");
    c->due = now_s() + ms / 1000.0;
    c->set = 1;
}

void clock_unset(t_clock *x) { ((fclock *)x)->set = 0; }

void *qelem_new(void *obj, method fn)
{
    fclock *q = (fclock *)clock_new(obj, fn);
    q->h.kind = K_QELEM;
    return q;
}

void qelem_set(t_qelem *x)
{
    fclock *q = (fclock *)x;
    q->set = 1;
    q->due = 0;
}

static void remove_clock(fclock *c)
{
    for (int i = 0; i < nclocks; i++)
        if (clocks[i] == c) clocks[i] = clocks[--nclocks];
    free(c);
}

void qelem_free(t_qelem *x) { remove_clock((fclock *)x); }

short systhread_ismainthread(void) { return (short)main_thread; }

void *defer(void *ob, method fn, t_symbol *sym, short argc, t_atom *argv)
{
    if (ndeferred == 64 || argc > 16) fail("defer queue full");
    fdefer *d = &deferred[ndeferred++];
    d->ob = ob;
    d->fn = fn;
    d->s = sym;
    d->argc = argc;
    if (argc > 0) memcpy(d->argv, argv, sizeof(t_atom) * (size_t)argc); /* Max copies too */
    return NULL;
}

typedef void (*deferred_fn)(void *, t_symbol *, short, t_atom *);
typedef void (*obj_fn)(void *);

int fake_run(double secs, int (*until)(void))
{
    double end = now_s() + secs;
    while (!(until && until()) && now_s() < end) {
        while (ndeferred > 0) {
            fdefer d = deferred[0];
            memmove(deferred, deferred + 1, sizeof(fdefer) * (size_t)--ndeferred);
            ((deferred_fn)d.fn)(d.ob, d.s, d.argc, d.argv);
        }
        double t = now_s();
        for (int i = 0; i < nclocks; i++) {
            fclock *c = clocks[i];
            if (c->set && c->due <= t) {
                c->set = 0;
                ((obj_fn)c->fn)(c->obj);
                break; /* the callback may have changed the list */
            }
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return until ? until() : 0;
}

/* ---- buffer~ ---- */

static fbuffer *find_buffer(const char *name)
{
    for (int i = 0; i < nbuffers; i++)
        if (strcmp(buffers[i]->name, name) == 0) return buffers[i];
    return NULL;
}

float *fake_buffer_new(const char *name, long frames, long nch, double sr)
{
    if (nbuffers == 16) fail("too many buffers");
    fbuffer *b = fake_alloc(sizeof *b, K_BUFFER);
    snprintf(b->name, sizeof b->name, "%s", name);
    b->frames = frames;
    b->nch = nch;
    b->sr = sr;
    b->data = calloc((size_t)(frames * nch) + 1, sizeof(float));
    if (!b->data) fail("out of memory");
    buffers[nbuffers++] = b;
    return b->data;
}

long fake_buffer_frames(const char *name) { fbuffer *b = find_buffer(name); return b ? b->frames : -1; }
long fake_buffer_channels(const char *name) { fbuffer *b = find_buffer(name); return b ? b->nch : -1; }
float *fake_buffer_samples(const char *name) { fbuffer *b = find_buffer(name); return b ? b->data : NULL; }

t_buffer_ref *buffer_ref_new(t_object *self, t_symbol *name)
{
    (void)self;
    fbufref *r = fake_alloc(sizeof *r, K_BUFREF);
    r->name = name;
    return (t_buffer_ref *)r;
}

void buffer_ref_set(t_buffer_ref *x, t_symbol *name) { ((fbufref *)x)->name = name; }
t_buffer_obj *buffer_ref_getobject(t_buffer_ref *x) { return (t_buffer_obj *)find_buffer(((fbufref *)x)->name->s_name); }

t_max_err buffer_ref_notify(t_buffer_ref *x, t_symbol *s, t_symbol *msg, void *sender, void *data)
{
    (void)x; (void)s; (void)msg; (void)sender; (void)data;
    return 0;
}

t_atom_long buffer_getframecount(t_buffer_obj *b) { return ((fbuffer *)b)->frames; }
t_atom_long buffer_getchannelcount(t_buffer_obj *b) { return ((fbuffer *)b)->nch; }
t_atom_float buffer_getsamplerate(t_buffer_obj *b) { return ((fbuffer *)b)->sr; }
t_max_err buffer_setdirty(t_buffer_obj *b) { (void)b; return 0; }

float *buffer_locksamples(t_buffer_obj *x)
{
    fbuffer *b = (fbuffer *)x;
    if (b->locked) fail("buffer locked twice");
    if (!main_thread) fail("buffer touched off the main thread");
    b->locked = 1;
    return b->data;
}

void buffer_unlocksamples(t_buffer_obj *x)
{
    fbuffer *b = (fbuffer *)x;
    if (!b->locked) fail("buffer unlocked while not locked");
    b->locked = 0;
}

t_max_err buffer_edit_begin(t_buffer_obj *x) { ((fbuffer *)x)->editing = 1; return 0; }
t_max_err buffer_edit_end(t_buffer_obj *x, long valid) { (void)valid; ((fbuffer *)x)->editing = 0; return 0; }

t_max_err object_method_typed(void *x, t_symbol *s, long ac, t_atom *av, t_atom *rv)
{
    (void)rv;
    hdr *h = x;
    if (h->magic != MAGIC || h->kind != K_BUFFER || s != gensym("sizeinsamps") || ac != 1)
        fail("object_method_typed: only buffer~ sizeinsamps is faked");
    fbuffer *b = x;
    if (b->locked) fail("resized while locked");
    if (!b->editing) fail("resized outside buffer_edit_begin/end");
    long frames = (long)atom_num(av);
    float *d = calloc((size_t)(frames * b->nch) + 1, sizeof(float));
    if (!d) fail("out of memory");
    long keep_n = (frames < b->frames ? frames : b->frames) * b->nch;
    memcpy(d, b->data, sizeof(float) * (size_t)keep_n);
    free(b->data);
    b->data = d;
    b->frames = frames;
    return 0;
}

/* ---- object_free ---- */

t_max_err object_free(void *x)
{
    fobject *o = find_object(x);
    if (o) {
        if (o->c->mfree) ((obj_fn)o->c->mfree)(x);
        for (int i = 0; i < nobjects; i++)
            if (objects[i] == o) objects[i] = objects[--nobjects];
        free(o->x);
        free(o);
        return 0;
    }
    hdr *h = x;
    if (h->magic != MAGIC) fail("object_free of an unknown pointer");
    if (h->kind == K_CLOCK) remove_clock(x);
    else free(x);
    return 0;
}

/* ---- driving objects from the test ---- */

static short parse_atoms(const char *text, t_atom *av, short max)
{
    char buf[1024], *save = NULL;
    short n = 0;
    snprintf(buf, sizeof buf, "%s", text);
    for (char *w = strtok_r(buf, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save)) {
        char *end;
        long long l = strtoll(w, &end, 10);
        if (*end == '\0') { atom_setlong(&av[n++], l); continue; }
        double d = strtod(w, &end);
        if (*end == '\0') { atom_setfloat(&av[n++], d); continue; }
        atom_setsym(&av[n++], gensym(w));
    }
    return n;
}

typedef void *(*new_fn)(t_symbol *, long, t_atom *);
typedef void (*gimme_fn)(void *, t_symbol *, long, t_atom *);

void *fake_new(const char *class_name, const char *args)
{
    t_atom av[32];
    short ac = parse_atoms(args, av, 32);
    for (int i = 0; i < nclasses; i++)
        if (strcmp(classes[i]->name, class_name) == 0)
            return ((new_fn)classes[i]->mnew)(gensym(class_name), ac, av);
    fail("fake_new: no such class");
    return NULL;
}

void fake_send(void *x, const char *msg)
{
    fobject *o = find_object(x);
    t_atom av[32];
    short ac = parse_atoms(msg, av, 32);
    if (!o || ac < 1 || av[0].a_type != A_SYM) fail("fake_send: bad message");
    const char *sel = av[0].a_w.w_sym->s_name;
    if (sel[0] == '@') {
        set_attr(o, sel + 1, (short)(ac - 1), av + 1);
        return;
    }
    for (int i = 0; i < o->c->nmethods; i++) {
        fmethod *m = &o->c->methods[i];
        if (strcmp(m->name, sel) != 0) continue;
        if (m->type == A_GIMME) ((gimme_fn)m->m)(x, gensym(sel), ac - 1, av + 1);
        else if (m->type == 0 && ac == 1) ((obj_fn)m->m)(x);
        else fail("fake_send: unfaked method signature");
        return;
    }
    logf_("error: %s doesn't understand %s\n", o->c->name, sel);
}

void fake_shutdown(void)
{
    while (nobjects > 0) object_free(objects[0]->x);
    for (int i = 0; i < nallocs; i++) free(allocs[i]);
    nallocs = 0;
    for (int i = 0; i < nbuffers; i++) {
        free(buffers[i]->data);
        free(buffers[i]);
    }
    nbuffers = 0;
    for (int i = 0; i < nclasses; i++) {
        for (int a = 0; a < classes[i]->nattrs; a++) free(classes[i]->attrs[a]);
        free(classes[i]);
    }
    nclasses = 0;
    while (nclocks > 0) remove_clock(clocks[0]);
}

/* Paths are already native here: a copy (Max turns "Disk:/a/b" into "/a/b"). */
short path_nameconform(C74_CONST char *src, char *dst, long style, long type)
{
    (void)style;
    (void)type;
    snprintf(dst, MAX_PATH_CHARS, "%s", src);
    return 0;
}
