#pragma once
// One CLIP-PAE edit (or λ sweep, as one batch). Plain callbacks for progress, preview and
// cancel; the UI worker turns them into Qt signals.
#include "core/edit/edit_request.h"
#include "core/edit/model_set.h"

#include <functional>
#include <memory>

namespace pae {

struct EditCallbacks {
    std::function<void(const EditProgress&)> progress;
    // step and one frame per λ (longest side EditRequest::previewSize)
    std::function<void(int step, const std::vector<ImageRGB>& frames)> preview;
    // polled every step; true stops the job within one step (result.cancelled)
    std::function<bool()> cancelRequested;
};

class EditJob {
public:
    explicit EditJob(std::shared_ptr<const ModelSet> models);
    // Runs to the end, to a cancel, or to a NaN/Inf (stopReason names the step, the last
    // good result is kept). Deterministic for a fixed seed and device. Throws pae::Error
    // for a bad request (unknown corpus, prompt outside the corpus subspace, …).
    EditResult run(const EditRequest& request, const EditCallbacks& callbacks = {});

private:
    std::shared_ptr<const ModelSet> m_models;
};

} // namespace pae
