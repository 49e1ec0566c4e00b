"""A self-referencing struct: a singly linked list allocated on the C heap."""
import ctypes
import ctypes.util
from ctypes import POINTER, Structure, c_int, c_size_t, c_void_p, sizeof


class Node(Structure):
    pass


Node._fields_ = [("value", c_int), ("next", POINTER(Node))]

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.calloc.argtypes = [c_size_t, c_size_t]
libc.calloc.restype = POINTER(Node)
libc.free.argtypes = [c_void_p]
libc.free.restype = None


def push_front(head, value):
    node = libc.calloc(1, sizeof(Node))
    node.contents.value = value
    node.contents.next = head
    return node


def to_list(head):
    out = []
    p = head
    while p:
        out.append(p.contents.value)
        p = p.contents.next
    return out


def free_all(head):
    # A pointer read from a field lives in the node's memory: free from the tail back.
    nodes = []
    p = head
    while p:
        nodes.append(p)
        p = p.contents.next
    for node in reversed(nodes):
        libc.free(node)
    return len(nodes)


head = POINTER(Node)()
print("empty list:", to_list(head), "NULL truth value:", bool(head))
for v in [5, 1, 4, 1, 3]:
    head = push_front(head, v)
print(to_list(head))
print("second node value:", head.contents.next.contents.value)
print("tail next is NULL:", not head.contents.next.contents.next.contents.next.contents.next.contents.next)
print("freed", free_all(head))
