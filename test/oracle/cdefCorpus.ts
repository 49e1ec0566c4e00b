/**
 * Cdefs for the cffi oracle: our own fixtures of the constructs real cffi projects use (studied in
 * pymunk, xcffib, pyzmq, argon2-cffi-bindings, python-zstandard, pyvips; none of their text is copied),
 * and mutants of them. Whether each is valid is decided by cffi at test time, never here.
 */

export const BASES: string[] = [
  // opaque handles and plain prototypes (compression / crypto libraries)
  `typedef struct zz_ctx_s zz_ctx;
size_t zz_bound(size_t src_size);
zz_ctx *zz_create(void);
size_t zz_free(zz_ctx *ctx);
unsigned zz_is_error(size_t code);
const char *zz_error_name(size_t code);`,
  `typedef struct zz_ctx_s zz_ctx;
typedef struct {
    const void *src;
    size_t size;
    size_t pos;
} zz_in_buffer;
typedef struct {
    void *dst;
    size_t size;
    size_t pos;
} zz_out_buffer;
size_t zz_stream(zz_ctx *ctx, zz_out_buffer *out, zz_in_buffer *in, int end);`,
  `typedef enum {
    ZZ_CONTINUE = 0,
    ZZ_FLUSH = 1,
    ZZ_END = 2
} zz_directive;
unsigned long long zz_content_size(const void *src, size_t len);`,
  // partial declarations for API mode
  `#define KD_VERSION ...
#define KD_MIN_LANES ...
#define KD_MAX_LEN 0xFFFFFFFF
typedef enum kd_kind { KD_I = 0, KD_D = 1, KD_ID = 2 } kd_kind;
typedef int (*kd_alloc_fn)(uint8_t **memory, size_t n);
typedef void (*kd_free_fn)(uint8_t *memory, size_t n);`,
  `typedef enum kd_kind { KD_I = 0, KD_D = 1 } kd_kind;
typedef int (*kd_alloc_fn)(uint8_t **memory, size_t n);
typedef void (*kd_free_fn)(uint8_t *memory, size_t n);
typedef struct kd_context {
    uint8_t *out;
    uint32_t outlen;
    uint8_t *pwd;
    uint32_t pwdlen;
    kd_alloc_fn allocate_cbk;
    kd_free_fn free_cbk;
    uint32_t flags;
} kd_context;
int kd_ctx(kd_context *context, kd_kind type);
const char *kd_error_message(int error_code);`,
  `typedef struct { ...; } mq_msg_t;
typedef struct {
    void *socket;
    int fd;
    short events;
    short revents;
} mq_pollitem_t;
int mq_msg_init(mq_msg_t *msg);
int mq_msg_init_size(mq_msg_t *msg, size_t size);
void *mq_msg_data(mq_msg_t *msg);
int mq_poll(mq_pollitem_t *items, int nitems, long timeout);`,
  `typedef int... mq_fd_t;
typedef float... real_t;
typedef unsigned long... flags_t;
typedef ... opaque_t;
typedef ... *opaque_ptr;
struct partial { int known; ...; };
extern int table[...];
enum partial_enum { PE_A, PE_B, ... };
enum valued { V_A = ..., V_B = ... };`,
  `void *mq_ctx_new();
int mq_ctx_set(void *context, int option, int optval);
int mq_getsockopt(void *s, int option, void *optval, size_t *optvallen);
int mq_send(void *s, const void *buf, size_t len, int flags);`,
  // generated X11-style bindings
  `typedef struct xc_connection_t xc_connection_t;
typedef uint32_t xc_window_t;
typedef uint32_t xc_atom_t;
typedef struct {
    unsigned int sequence;
} xc_void_cookie_t;
typedef struct {
    uint8_t response_type;
    uint8_t pad0;
    uint16_t sequence;
    uint32_t pad[7];
    uint32_t full_sequence;
} xc_generic_event_t;
xc_connection_t *xc_connect(const char *displayname, int *screenp);
int xc_flush(xc_connection_t *c);
void xc_disconnect(xc_connection_t *c);`,
  `typedef struct xc_connection_t xc_connection_t;
typedef uint32_t xc_window_t;
typedef struct { unsigned int sequence; } xc_void_cookie_t;
typedef struct {
    xc_window_t data;
    int rem;
    int index;
} xc_window_iterator_t;
void xc_window_next(xc_window_iterator_t *i);
xc_void_cookie_t xc_map_window_checked(xc_connection_t *c, xc_window_t window);
int xc_get_fd(xc_connection_t *c);`,
  // physics engine: value structs, callbacks, extern "Python"
  `typedef double pf_float;
typedef struct pf_vect { pf_float x, y; } pf_vect;
typedef struct pf_body pf_body;
typedef unsigned char pf_bool;
typedef uintptr_t pf_hash;
typedef void (*pf_velocity_fn)(pf_body *body, pf_vect gravity, pf_float damping, pf_float dt);
pf_body *pf_body_new(pf_float mass, pf_float moment);
void pf_body_set_velocity_fn(pf_body *body, pf_velocity_fn fn);
pf_vect pf_body_get_position(const pf_body *body);`,
  `typedef double pf_float;
typedef struct pf_vect { pf_float x, y; } pf_vect;
typedef struct pf_body pf_body;
typedef unsigned char pf_bool;
extern "Python" {
    void ext_velocity(pf_body *body, pf_vect gravity, pf_float damping, pf_float dt);
    pf_bool ext_begin(void *arbiter, void *space, void *data);
}
extern "Python" int ext_single(int);
extern "Python+C" void ext_both(void *);`,
  `typedef double pf_float;
typedef struct pf_bb { pf_float l, b, r, t; } pf_bb;
typedef struct pf_transform { pf_float a, b, c, d, tx, ty; } pf_transform;
struct pf_shape_filter {
    uintptr_t group;
    unsigned int categories;
    unsigned int mask;
};
pf_bb pf_bb_new(pf_float l, pf_float b, pf_float r, pf_float t);`,
  // image library on GLib types
  `typedef unsigned int guint;
typedef int gint;
typedef char gchar;
typedef unsigned long gsize;
typedef uint64_t guint64;
typedef gsize GType;
typedef struct _GValue {
    GType gtype;
    guint64 data[2];
} GValue;
typedef void (*GCallback)(void);
typedef struct _VImage VImage;
const char *vi_error_buffer(void);
void vi_error_clear(void);
int vi_image_get_width(const VImage *image);
VImage *vi_image_new_from_memory(const void *data, size_t size, int width, int height, int bands, int format);`,
  `typedef unsigned long GType;
typedef struct _GValue { GType gtype; uint64_t data[2]; } GValue;
typedef void (*GCallback)(void);
typedef struct _GObject {
    void *g_type_instance;
    unsigned int ref_count;
    void *qdata;
} GObject;
typedef struct _GParamSpec {
    void *g_type_instance;
    const char *name;
    unsigned int flags;
    GType value_type;
    GType owner_type;
    ...;
} GParamSpec;
void g_object_set_property(GObject *object, const char *name, const GValue *value);
unsigned long g_signal_connect_data(void *instance, const char *detailed_signal, GCallback c_handler, void *data, GCallback destroy_data, int connect_flags);`,
  // variadic functions and calling conventions
  `int printf(const char *format, ...);
int snprintf(char *str, size_t size, const char *format, ...);
typedef int (*vlog_fn)(void *, const char *, ...);
int __stdcall win_call(int a, int b);
int (__stdcall *win_ptr)(int);
int WINAPI win_api(void *h);
int __cdecl c_call(int x);`,
  // declarators: arrays, function pointers, const
  `extern const char *const names[];
extern int matrix[4][4];
int (*handler_for(int signal))(int);
void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));
void (*signal_fn(int sig, void (*func)(int)))(int);
char **environ_like;`,
  `struct list_node {
    struct list_node *next;
    struct list_node *prev;
    void *payload;
};
union value {
    int i;
    double d;
    char *s;
    struct { int lo, hi; } pair;
};
struct tagged {
    int tag;
    union value v;
};`,
  `struct flags {
    unsigned int ready : 1;
    unsigned int mode : 3;
    unsigned int : 4;
    signed int delta : 8;
};
struct with_array {
    char name[32];
    int counts[2 + 2];
    double samples[1 << 4];
};`,
  `enum color { RED, GREEN = 5, BLUE = GREEN + 1, ALPHA = 0x10, MASK = 0xff, SHIFTED = 1 << 3, NEG = -2, CHR = 'a' };
typedef enum { OFF, ON, } toggle_t;
enum color current_color(void);
toggle_t toggle(toggle_t t);`,
  `/* constants and comments */
#define BUF_SIZE 4096
#define FLAG_A 0x01
#define FLAG_B 0x02 // second flag
#define NEG_ONE -1
#define BIG 100000UL
#define OCTAL 0755
int use_flags(int flags); /* trailing comment */
// a line comment
int other(void);`,
  `static const int CONST_A;
static const double CONST_PI;
extern int global_counter;
extern char *global_name;
extern struct list_node *global_list;`,
  `typedef struct s_point { int x; int y; } point_t, *point_p;
typedef int int_array_t[8];
typedef char name_t[16];
typedef void *handle_t;
typedef const char *cstr_t;
point_p point_new(int x, int y);
int point_sum(point_t p);`,
  `long double ldexp_like(long double x, int e);
unsigned short ushort_id(unsigned short x);
signed char schar_id(signed char x);
unsigned long long ull_id(unsigned long long x);
long long ll_id(long long x);
short int si_id(short int x);
long int li_id(long int x);
_Bool bool_id(_Bool b);
bool cpp_bool(bool b);
float _Complex cf(float _Complex z);
wchar_t wc(wchar_t c);
char16_t c16(char16_t c);
ssize_t sread(int fd, void *buf, size_t n);
intptr_t iptr(intptr_t v);
FILE *ffopen(const char *path, const char *mode);`,
  `int f_restrict(char *restrict dst, const char *restrict src);
int f_static_array(int a[static 4]);
int f_unnamed(int, char *, double);
int f_array_param(int a[], int n);
int f_funcptr_param(int (*)(int, int));
inline int f_inline(int x);
void f_volatile(volatile int *p);`,
  `typedef struct node node;
struct node { int value; node *next; };
node *node_first(node *list);
typedef struct node *node_ref;
node_ref node_next(node_ref n);`,
  `struct outer {
    struct inner { int a; int b; } in;
    struct { char c; } anon;
    int after;
};
struct inner inner_make(int a, int b);`,
  `typedef struct {
    int (*open)(void *ctx, const char *path);
    int (*read)(void *ctx, char *buf, size_t n);
    void (*close)(void *ctx);
    void *ctx;
} io_vtable;
int io_run(const io_vtable *vt);`,
  `typedef long time_t;
typedef int pid_t;
typedef long off_t;
time_t time(time_t *tloc);
pid_t getpid(void);
off_t lseek(int fd, off_t offset, int whence);`,
  `#define N_ITEMS 8
extern int sizes_a[N_ITEMS];
extern int sizes_b[N_ITEMS * 2 + 1];
extern int sizes_c[(4)];
extern int sizes_d[1 << 3 | 1];`,
  `struct packed_hdr { uint8_t kind; uint32_t length; uint16_t crc; };
typedef struct packed_hdr packed_hdr;
int hdr_parse(const uint8_t *buf, size_t len, packed_hdr *out);`,
  `void no_params();
void void_params(void);
int many(int a, int b, int c, int d, int e, int f, int g, int h);
void *const_ptr(void *const p);
const int *ptr_const(const int *p);
int const *const cc(int const *const p);
char ***triple(char ***p);`,
  `typedef struct archive archive;
typedef struct archive_entry archive_entry;
typedef ssize_t (*ar_read_cb)(archive *, void *client_data, const void **buffer);
typedef int (*ar_close_cb)(archive *, void *client_data);
int ar_open(archive *a, void *client_data, void *open_cb, ar_read_cb read_cb, ar_close_cb close_cb);
const char *ar_entry_pathname(archive_entry *e);
int64_t ar_entry_size(archive_entry *e);`,
  `;
int after_empty(void);;
struct s_semis { int a;; int b; };`,
  `typedef struct { int x; } anon_t; typedef anon_t *anon_p; anon_p anon_new(void); void anon_free(anon_p p);`,
  `extern "Python" void single_cb(int, void *);
typedef struct cb_holder { void (*cb)(int, void *); void *data; } cb_holder;
void register_cb(cb_holder *h);`,
];

/** Tokens of a cdef with their offsets (enough to make mutants). */
export function tokens(src: string): { s: number; e: number; v: string }[] {
  const out: { s: number; e: number; v: string }[] = [];
  const re = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|\.\.\.|"[^"\n]*"|[A-Za-z_]\w*|\d\w*|\S/g;
  for (const m of src.matchAll(re)) if (!m[0].startsWith('/*') && !m[0].startsWith('//')) out.push({ s: m.index, e: m.index + m[0].length, v: m[0] });
  return out;
}

/** Mutants of a valid cdef: a dropped `;`, `)`, `,`, `(`, `}` or name, a doubled token, a swapped pair. */
export function mutants(src: string, perKind = 4): string[] {
  const toks = tokens(src);
  const out: string[] = [];
  const pick = <T>(xs: T[], n: number): T[] => {
    if (xs.length <= n) return xs;
    const step = xs.length / n;
    return Array.from({ length: n }, (_, i) => xs[Math.floor(i * step)]!);
  };
  for (const v of [';', ')', ',', '(', '}', '*']) {
    for (const t of pick(toks.filter((x) => x.v === v), perKind)) out.push(src.slice(0, t.s) + src.slice(t.e));
  }
  const names = toks.filter((x) => /^[A-Za-z_]/.test(x.v));
  for (const t of pick(names, perKind)) out.push(src.slice(0, t.s) + src.slice(t.e));
  for (const t of pick(toks, perKind * 2)) out.push(src.slice(0, t.e) + ' ' + t.v + src.slice(t.e));
  for (const i of pick(toks.map((_, i) => i).slice(0, -1), perKind)) {
    const a = toks[i]!;
    const b = toks[i + 1]!;
    out.push(src.slice(0, a.s) + b.v + src.slice(a.e, b.s) + a.v + src.slice(b.e));
  }
  return [...new Set(out)].filter((m) => m !== src);
}

/** Small hand-written invalid or odd cdefs (judged by cffi like the rest). */
export const EXTRAS: string[] = [
  'int x', 'int f(int', 'int f(int a int b);', 'foo_t x;', 'int f(foo);', 'unsigned foo;', 'int int x;', 'long long long x;',
  'unsigned float f;', 'signed double d;', 'short char c;', '__int128 big;', 'int f(void) { return 1; }', '#define X 1+2', '#define X (1)',
  '#define F(x) x', '#include <stdio.h>', '#if 1\nint x;\n#endif', '#ifdef A\n#endif', 'int __attribute__((unused)) f(void);',
  'int * __restrict p;', 'extern "C" int f(int);', 'extern "Python" { int a(int); { int b(int); } }', '_Static_assert(1, "x");',
  'int f(...);', 'struct s { int a; ... };', 'struct { int a; };', 'struct;', 'enum e {};', 'int a[N];', 'int a[3 + ];',
  'typedef int t; unsigned t x;', 'typedef typedef int x;', 'int f(int a,, int b);', 'int f(int a, int b))', 'int (*fp(int);',
  'struct s { int a }', 'struct s { int a; }', 'enum e { A B };', 'enum e { A = };', 'int x = ;', 'int 3x;', 'int f(int 3);',
  'char *s = "abc";', 'int x = 5;', 'int f(int a, ...);', 'int g(int a, ... , int b);', 'int h(..., int a);', 'typedef int ... t;',
  'const x;', 'volatile int;', 'static;', 'int *;', 'int (*)(int);', 'typedef;', 'typedef int;', 'int f(void)\nint g(void);',
  'struct a { int x; }\nint f(void);', 'int a[10;', 'int a];', 'int f(int a[]);', 'int f(int (*cb)(int), ...);',
  '/* unterminated', 'int c = \'a\';', 'int f(register int x);', 'int f(static int x);', 'struct s { static int x; };',
  'typedef struct s { int a; } s_t; s_t s_make(void); int s_take(s_t v);', 'typedef enum { A = 1 << 2, B = A | 1 } flags;',
  'int x[2][];', 'int (*arr)[4];', 'int sz[sizeof(int)];', 'enum e { A = ~0 };', 'int a[4 > 3];', 'enum e { A = 1 ? 2 : 3 };', 'const x;', 'extern y;', 'typedef *p;', 'typedef int... *t;', 'int f(int...);', 'struct s { int... a; };', 'typedef ... t[3];', 'int (*x)[...];', 'int f(int a[...]);', 'typedef int t[...];', 'extern "Python" int cbv;', 'int *(*fparr[3])(void);', 'void f(int n, int a[n]);', 'int f(const);', 'int f(int const);',
  'int f(unsigned);', 'int f(long long);', 'double f(double, double);', '_Complex double z;', 'double _Complex z;',
  'typedef struct { int a; } T; T;', 'int inline f(void);', 'int f(void) ;', 'int\nf\n(\nvoid\n)\n;',
];
