/** A refusal the API answers with its status and a one-line reason ({"error": "..."}), never a stack. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
