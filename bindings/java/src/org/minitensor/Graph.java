package org.minitensor;

/** The ops one capture recorded (mt_graph): only ever held until Capture.end compiles it. */
final class Graph extends NativeObject {
  Graph(long handle) {
    super(handle, MinitensorNativeJNI::mt_graph_release);
  }
}
